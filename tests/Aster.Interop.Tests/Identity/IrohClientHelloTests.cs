using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Aster.Interop.Tests.Infrastructure;
using Aster.Net.Identity;
using Aster.Testing;

namespace Aster.Interop.Tests.Identity;

/// <summary>
/// The TLS server name a real iroh client sends (transport.md §1.3), read from its first QUIC Initial packet: iroh
/// dials a UDP socket of ours, we remove the Initial protection (RFC 9001 §5, version 1 salt) and read the SNI from
/// the ClientHello. Self-contained on purpose: it uses only the BCL, not our QUIC or TLS code.
/// </summary>
public sealed class IrohClientHelloTests
{
    private static readonly byte[] _initialSaltV1 = Convert.FromHexString("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");

    [NodeFact]
    public async Task Dial_IrohClient_SendsOurTlsServerNameForTheDialledId()
    {
        using SecretKey target = SecretKey.Generate();
        using UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        string address = ((IPEndPoint)udp.Client.LocalEndPoint!).ToString();

        Task<(int, System.Text.Json.JsonElement, IReadOnlyCollection<string>)> dial = NodePeer.DialAsync(
            target.PublicKey.ToString(), address, "aster/1", [0], timeoutMilliseconds: 3000);
        string? serverName = null;
        using CancellationTokenSource cts = new(TimeSpan.FromSeconds(30));
        while (serverName is null)
        {
            UdpReceiveResult datagram = await udp.ReceiveAsync(cts.Token);
            serverName = TryReadServerName(datagram.Buffer);
        }

        Assert.Equal(target.PublicKey.ToTlsServerName(), serverName);
        Assert.Equal(target.PublicKey, EndpointId.FromTlsServerName(serverName));
        (int exitCode, _, _) = await dial.TimeoutAfter(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exitCode); // nobody answered, so the dialer timed out
    }

    /// <summary>The SNI host name in a client Initial, or null when the datagram is something else.</summary>
    private static string? TryReadServerName(byte[] d)
    {
        if (d.Length < 1200 || (d[0] & 0xF0) != 0xC0 || BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(1)) != 1)
        {
            return null;
        }

        int pos = 5;
        byte[] dcid = d.AsSpan(pos + 1, d[pos]).ToArray();
        pos += 1 + dcid.Length;
        pos += 1 + d[pos]; // SCID
        int tokenLength = (int)ReadVarint(d, ref pos);
        pos += tokenLength;
        int length = (int)ReadVarint(d, ref pos);
        int pnOffset = pos;

        byte[] initialSecret = HKDF.Extract(HashAlgorithmName.SHA256, dcid, _initialSaltV1);
        byte[] clientSecret = ExpandLabel(initialSecret, "client in", 32);
        byte[] key = ExpandLabel(clientSecret, "quic key", 16);
        byte[] iv = ExpandLabel(clientSecret, "quic iv", 12);
        byte[] hp = ExpandLabel(clientSecret, "quic hp", 16);

        using Aes aes = Aes.Create();
        aes.Key = hp;
        byte[] mask = aes.EncryptEcb(d.AsSpan(pnOffset + 4, 16), PaddingMode.None);
        byte[] header = d.AsSpan(0, pnOffset + 4).ToArray();
        header[0] ^= (byte)(mask[0] & 0x0F);
        int pnLength = (header[0] & 3) + 1;
        ulong packetNumber = 0;
        for (int i = 0; i < pnLength; i++)
        {
            header[pnOffset + i] ^= mask[1 + i];
            packetNumber = (packetNumber << 8) | header[pnOffset + i];
        }

        byte[] nonce = (byte[])iv.Clone();
        for (int i = 0; i < 8; i++)
        {
            nonce[11 - i] ^= (byte)(packetNumber >> (8 * i));
        }

        int cipherStart = pnOffset + pnLength;
        int cipherLength = length - pnLength - 16;
        byte[] plain = new byte[cipherLength];
        using AesGcm gcm = new(key, 16);
        gcm.Decrypt(nonce, d.AsSpan(cipherStart, cipherLength), d.AsSpan(cipherStart + cipherLength, 16), plain, header.AsSpan(0, cipherStart));

        byte[]? hello = null;
        for (int p = 0; p < plain.Length;)
        {
            ulong type = ReadVarint(plain, ref p);
            if (type is 0x00 or 0x01)
            {
                continue; // PADDING, PING
            }

            Assert.Equal(0x06ul, type); // CRYPTO: the first Initial carries the whole ClientHello (transport.md §4.5)
            ulong offset = ReadVarint(plain, ref p);
            int dataLength = (int)ReadVarint(plain, ref p);
            Assert.Equal(0ul, offset);
            hello = plain.AsSpan(p, dataLength).ToArray();
            p += dataLength;
        }

        Assert.NotNull(hello);
        return ReadSni(hello);
    }

    private static string? ReadSni(byte[] h)
    {
        Assert.Equal(1, h[0]); // ClientHello
        int pos = 4 + 2 + 32; // header, legacy_version, random
        pos += 1 + h[pos]; // legacy_session_id
        pos += 2 + BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(pos)); // cipher_suites
        pos += 1 + h[pos]; // legacy_compression_methods
        int end = pos + 2 + BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(pos));
        pos += 2;
        while (pos < end)
        {
            int type = BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(pos));
            int length = BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(pos + 2));
            if (type == 0)
            {
                // server_name_list length (2), name_type host_name (1), HostName length (2), name
                Assert.Equal(0, h[pos + 6]);
                int nameLength = BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(pos + 7));
                return Encoding.ASCII.GetString(h, pos + 9, nameLength);
            }

            pos += 4 + length;
        }

        return null;
    }

    private static byte[] ExpandLabel(byte[] secret, string label, int length)
    {
        byte[] fullLabel = Encoding.ASCII.GetBytes("tls13 " + label);
        byte[] info = [(byte)(length >> 8), (byte)length, (byte)fullLabel.Length, .. fullLabel, 0];
        return HKDF.Expand(HashAlgorithmName.SHA256, secret, length, info);
    }

    private static ulong ReadVarint(byte[] data, ref int pos)
    {
        int prefix = data[pos] >> 6;
        int count = 1 << prefix;
        ulong value = (ulong)(data[pos] & 0x3F);
        for (int i = 1; i < count; i++)
        {
            value = (value << 8) | data[pos + i];
        }

        pos += count;
        return value;
    }
}
