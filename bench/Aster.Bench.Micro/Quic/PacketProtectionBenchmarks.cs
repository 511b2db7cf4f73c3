using System.Security.Cryptography;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;
using Aster.Net.Tls;
using BenchmarkDotNet.Attributes;

namespace Aster.Bench.Micro.Quic;

/// <summary>
/// M4 (performance.md, section 6.11): sealing and opening one 1-RTT packet (AEAD plus header protection) per cipher
/// suite and payload size, against the raw BCL <see cref="AesGcm.Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, Span{byte}, ReadOnlySpan{byte})"/> call of the same run
/// and our <see cref="AesNiGcm"/> (what <see cref="PacketAead"/> uses for the AES suites on x86 with AES-NI).
/// </summary>
[MemoryDiagnoser]
public class PacketProtectionBenchmarks : IDisposable
{
    private readonly byte[] _cid = new byte[8];
    private byte[] _packet = [];
    private byte[] _template = [];
    private byte[] _tag = new byte[16];
    private byte[] _nonce = new byte[12];
    private byte[] _secret = [];
    private AesGcm? _rawAesGcm;
    private AesNiGcm? _rawAesNiGcm;
    private OneRttKeySet? _sender;
    private OneRttKeySet? _receiver;
    private PacketProtectionKeys? _keys;
    private int _headerLength;

    /// <summary>The cipher suite (0x1301 AES-128-GCM, 0x1302 AES-256-GCM, 0x1303 ChaCha20-Poly1305).</summary>
    [Params((ushort)0x1301, (ushort)0x1302, (ushort)0x1303)]
    public ushort Suite { get; set; }

    /// <summary>The payload (frames) size in bytes.</summary>
    [Params(64, 1200, 1452)]
    public int PayloadSize { get; set; }

    /// <summary>Creates keys and a packet template.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var suite = (TlsCipherSuite)Suite;
        _secret = RandomNumberGenerator.GetBytes(QuicCipherSuites.GetHashLength(suite));
        _sender = new OneRttKeySet(suite, _secret, _secret);
        _receiver = new OneRttKeySet(suite, _secret, _secret);
        _keys = PacketProtectionKeys.FromSecret(suite, _secret);
        _rawAesGcm = new AesGcm(new byte[16], 16);
        _rawAesNiGcm = AesNiGcm.IsSupported ? new AesNiGcm(new byte[16]) : null;
        _packet = new byte[PayloadSize + 64];
        _headerLength = QuicPacketWriter.WriteShortHeader(_packet, _cid, false, false, 1, 2);
        RandomNumberGenerator.Fill(_packet.AsSpan(_headerLength, PayloadSize));
        _template = (byte[])_packet.Clone();
    }

    /// <summary>Disposes the keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sender?.Dispose();
        _receiver?.Dispose();
        _keys?.Dispose();
        _rawAesGcm?.Dispose();
        _rawAesNiGcm?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    /// <summary>Baseline: one raw AES-128-GCM encryption of the payload with the BCL, in place.</summary>
    [Benchmark(Baseline = true)]
    public void RawAesGcmEncrypt()
    {
        Span<byte> payload = _packet.AsSpan(_headerLength, PayloadSize);
        _rawAesGcm!.Encrypt(_nonce, payload, payload, _tag, _packet.AsSpan(0, _headerLength));
    }

    /// <summary>The same encryption with <see cref="AesNiGcm"/> (the BCL again on a CPU without AES-NI, so the row still means something).</summary>
    [Benchmark]
    public void RawAesNiGcmEncrypt()
    {
        Span<byte> payload = _packet.AsSpan(_headerLength, PayloadSize);
        if (_rawAesNiGcm is null)
        {
            _rawAesGcm!.Encrypt(_nonce, payload, payload, _tag, _packet.AsSpan(0, _headerLength));
            return;
        }

        _rawAesNiGcm.Encrypt(_nonce, payload, payload, _tag, _packet.AsSpan(0, _headerLength));
    }

    /// <summary>Seal a 1-RTT packet and open it again (two AEAD calls and two header masks).</summary>
    [Benchmark]
    public int SealAndOpen()
    {
        _template.AsSpan().CopyTo(_packet);
        int length = _sender!.Seal(_packet, 9, _headerLength, PayloadSize, 1);
        _receiver!.Open(_packet.AsSpan(0, length), 9, 0, out QuicOpenedPacket opened);
        return opened.PayloadLength;
    }

    /// <summary>Seal only (one AEAD call and one header mask).</summary>
    [Benchmark]
    public int Seal()
    {
        _template.AsSpan().CopyTo(_packet);
        return QuicPacketProtection.Seal(_keys!, _packet, 9, _headerLength, PayloadSize, 1);
    }

    /// <summary>One header-protection mask.</summary>
    [Benchmark]
    public byte HeaderProtectionMask()
    {
        Span<byte> mask = stackalloc byte[5];
        _keys!.HeaderKey.ComputeMask(_packet.AsSpan(16, 16), mask);
        return mask[0];
    }

    /// <summary>One key-update step: the next secret (<c>quic ku</c>) and the next AEAD.</summary>
    [Benchmark]
    public void KeyUpdateDerivation()
    {
        var suite = (TlsCipherSuite)Suite;
        byte[] next = PacketProtectionKeys.NextSecret(suite, _secret);
        PacketProtectionKeys.CreateAead(suite, next).Dispose();
    }
}
