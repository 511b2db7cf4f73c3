using System.Net;
using Aster.Net.Identity;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Identity;

/// <summary>
/// Round trips of every form, and arbitrary input into every parser: only <see cref="KeyFormatException"/> or
/// <see cref="AddressFormatException"/> may come out (never IndexOutOfRange, ArgumentOutOfRange, Overflow or a bare
/// FormatException).
/// </summary>
public sealed class IdentityPropertyTests
{
    private const int Cases = 10_000;

    private static Config Quick => Config.QuickThrowOnFailure.WithMaxTest(Cases);

    [Fact]
    public void EndpointId_AnyBytes_EveryTextAndBinaryFormRoundTrips()
    {
        Check.One(Quick, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            byte[] bytes = new byte[32];
            new Random(seed).NextBytes(bytes);
            EndpointId id = EndpointId.FromBytes(bytes);

            return EndpointId.Parse(id.ToString()) == id
                && EndpointId.Parse(id.ToString().ToUpperInvariant()) == id
                && EndpointId.Parse(id.ToBase32()) == id
                && EndpointId.Parse(id.ToBase32().ToUpperInvariant()) == id
                && EndpointId.FromSubjectPublicKeyInfo(id.ToSubjectPublicKeyInfo()) == id
                && EndpointId.FromTlsServerName(id.ToTlsServerName()) == id
                && id.ToTlsServerName().Length == 65
                && id.AsSpan().SequenceEqual(bytes);
        }));
    }

    [Fact]
    public void SecretKey_AnySeed_ExportAndParseRoundTrip()
    {
        Check.One(Quick, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            byte[] bytes = new byte[32];
            new Random(seed).NextBytes(bytes);
            using SecretKey key = SecretKey.FromBytes(bytes);
            using SecretKey parsed = SecretKey.Parse(Convert.ToHexStringLower(bytes));
            using SecretKey parsed32 = SecretKey.Parse(EndpointId.FromBytes(bytes).ToBase32());

            return key.Equals(parsed) && key.Equals(parsed32) && key.ToBytes().AsSpan().SequenceEqual(bytes);
        }));
    }

    [Fact]
    public void SecretKey_AnySeed_SignaturesVerifyUnderItsPublicKey()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(ArbMap.Default.ArbFor<int>(), ArbMap.Default.ArbFor<byte[]>(), (seed, message) =>
        {
            byte[] bytes = new byte[32];
            new Random(seed).NextBytes(bytes);
            using SecretKey key = SecretKey.FromBytes(bytes);

            return key.PublicKey.Verify(message, key.Sign(message));
        }));
    }

    [Fact]
    public void AsterAddress_RandomAddress_TextAndBytesRoundTrip()
    {
        Check.One(Quick, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            AsterAddress address = RandomAsterAddress(new Random(seed));

            string text = address.ToString();
            AsterAddress parsed = AsterAddress.Parse(text);
            AsterAddress decoded = AsterAddress.FromBytes(address.ToBytes());

            return parsed.Equals(address)
                && decoded.Equals(address)
                && parsed.ToString() == text
                && parsed.Id == address.Id
                && Equals(parsed.Relay, address.Relay)
                && parsed.DirectAddresses.SequenceEqual(address.DirectAddresses)
                && Equals(parsed.Credential, address.Credential);
        }));
    }

    [Fact]
    public void EndpointTicket_RandomTicket_TextAndBytesRoundTrip()
    {
        Check.One(Quick, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            EndpointTicket ticket = RandomEndpointTicket(new Random(seed));

            string text = ticket.ToString();
            EndpointTicket parsed = EndpointTicket.Parse(text);

            return parsed.ToString() == text
                && parsed.Id == ticket.Id
                && parsed.RelayUrls.SequenceEqual(ticket.RelayUrls)
                && parsed.DirectAddresses.SequenceEqual(ticket.DirectAddresses)
                && parsed.CustomAddresses.SequenceEqual(ticket.CustomAddresses)
                && EndpointTicket.FromBytes(ticket.ToBytes()).Equals(ticket);
        }));
    }

    [Fact]
    public void EndpointAddr_RandomAddress_NodeAddrAndTicketFormsRoundTrip()
    {
        // Fewer cases: every form here is also covered by the 10,000-case properties above.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            Random random = new(seed);
            AsterAddress aster = RandomAsterAddress(random);
            Uri? relay = random.Next(2) == 0 ? null : new Uri($"https://relay{random.Next(100)}.example/");
            EndpointAddr address = new(aster.Id, relay, aster.DirectAddresses);

            return EndpointAddr.Parse(address.ToNodeAddrBase64()).Equals(address)
                && EndpointAddr.ParseNodeAddrText(address.ToNodeAddrText()).Equals(address)
                && EndpointAddr.Parse(address.ToString()).Equals(address.WithRelayUrl(null));
        }));
    }

    [Fact]
    public void TextParsers_ArbitraryStrings_ThrowOnlyTypedExceptions()
    {
        Check.One(Quick, Prop.ForAll(ArbMap.Default.ArbFor<string>(), ArbMap.Default.ArbFor<int>(), (raw, choice) =>
        {
            string s = raw ?? string.Empty;
            string text = (choice & 7) switch
            {
                0 => s,
                1 => AsterAddress.Prefix + s,
                2 => EndpointTicket.Prefix + s,
                3 => s.Length > 0 ? s.PadRight(64, s[0])[..64] : s,
                4 => s.Length > 0 ? s.PadRight(52, s[0])[..52] : s,
                5 => s + ".iroh.invalid",
                6 => "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29\n" + s,
                _ => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s)),
            };
            return Only<KeyFormatException>(() => EndpointId.Parse(text))
                && Only<KeyFormatException>(() => SecretKey.Parse(text).Dispose())
                && Only<KeyFormatException>(() => EndpointId.FromTlsServerName(text))
                && Only<AddressFormatException>(() => AsterAddress.Parse(text))
                && Only<AddressFormatException>(() => EndpointTicket.Parse(text))
                && Only<AddressFormatException>(() => EndpointAddr.Parse(text))
                && Only<AddressFormatException>(() => EndpointAddr.ParseNodeAddrText(text));
        }));
    }

    [Fact]
    public void BinaryParsers_ArbitraryBytes_ThrowOnlyTypedExceptions()
    {
        Check.One(Quick, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            // Steer half of the inputs past the first checks: a valid-looking header for each format.
            byte[] aster = bytes.Length > 34 ? [.. bytes.AsSpan(0, 32), 0x10, .. bytes.AsSpan(33)] : bytes;
            byte[] ticket = [0, .. new byte[32], .. bytes];
            return Only<AddressFormatException>(() => AsterAddress.FromBytes(bytes))
                && Only<AddressFormatException>(() => AsterAddress.FromBytes(aster))
                && Only<AddressFormatException>(() => AsterAddress.Parse(AsterAddress.Prefix + TextEncodings.EncodeBase58(aster)))
                && Only<AddressFormatException>(() => EndpointTicket.FromBytes(bytes))
                && Only<AddressFormatException>(() => EndpointTicket.FromBytes(ticket))
                && Only<AddressFormatException>(() => EndpointTicket.Parse(EndpointTicket.Prefix + TextEncodings.EncodeBase32(ticket, TextEncodings.Base32Alphabet)))
                && Only<KeyFormatException>(() => EndpointId.FromSubjectPublicKeyInfo(bytes))
                && Only<KeyFormatException>(() => EndpointId.FromBytes(bytes))
                && Only<KeyFormatException>(() => SecretKey.FromBytes(bytes).Dispose());
        }));
    }

    [Fact]
    public void BinaryParsers_MutatedValidInputs_ThrowOnlyTypedExceptions()
    {
        Check.One(Quick, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            Random random = new(seed);
            byte[] aster = Mutate(RandomAsterAddress(random).ToBytes(), random);
            byte[] ticket = Mutate(RandomEndpointTicket(random).ToBytes(), random);
            return Only<AddressFormatException>(() => AsterAddress.FromBytes(aster))
                && Only<AddressFormatException>(() => EndpointTicket.FromBytes(ticket));
        }));
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                return [.. bytes, (byte)random.Next(256)];
            default:
                int at = random.Next(bytes.Length);
                bytes[at] ^= (byte)(1 << random.Next(8));
                return bytes;
        }
    }

    private static bool Only<TException>(Action parse)
        where TException : Exception
    {
        try
        {
            parse();
            return true;
        }
        catch (TException)
        {
            return true;
        }
    }

    private static EndpointId RandomId(Random random)
    {
        byte[] bytes = new byte[32];
        random.NextBytes(bytes);
        return EndpointId.FromBytes(bytes);
    }

    private static IPEndPoint RandomEndPoint(Random random)
    {
        byte[] address = new byte[random.Next(2) == 0 ? 4 : 16];
        random.NextBytes(address);
        return new IPEndPoint(new IPAddress(address), random.Next(65536));
    }

    private static AsterAddress RandomAsterAddress(Random random)
    {
        EndpointId id = RandomId(random);
        IPEndPoint? relay = random.Next(3) == 0 ? null : RandomEndPoint(random);
        List<IPEndPoint> direct = [];
        int count = random.Next(AsterAddress.MaxDirectAddresses + 1);
        int budget = AsterAddress.MaxEncodedLength - 34 - 18 - 4 - 3;
        for (int i = 0; i < count; i++)
        {
            IPEndPoint endPoint = RandomEndPoint(random);
            int cost = endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 6 : 18;
            if (cost > budget)
            {
                break;
            }

            budget -= cost;
            direct.Add(endPoint);
        }

        AddressCredential? credential = random.Next(5) switch
        {
            0 => null,
            1 => AddressCredential.Open,
            2 => AddressCredential.RegistryRead(RandomBytes(random, 32)),
            3 => AddressCredential.ConsumerCredential(RandomBytes(random, random.Next(Math.Min(budget, AddressCredential.MaxPayloadLength) + 1))),
            _ => AddressCredential.Enrollment(RandomBytes(random, random.Next(Math.Min(budget, AddressCredential.MaxPayloadLength) + 1))),
        };
        if (credential is not null && credential.Payload.Length > budget)
        {
            credential = AddressCredential.Open;
        }

        return new AsterAddress(id, relay, direct, credential);
    }

    private static EndpointTicket RandomEndpointTicket(Random random)
    {
        EndpointId id = RandomId(random);
        Uri[] relays = Enumerable.Range(0, random.Next(3)).Select(_ => new Uri($"https://r{random.Next(1000)}.example/p{random.Next(10)}")).ToArray();
        IPEndPoint[] direct = Enumerable.Range(0, random.Next(6)).Select(_ => RandomEndPoint(random)).ToArray();
        CustomTransportAddress[] custom = Enumerable.Range(0, random.Next(3))
            .Select(_ => new CustomTransportAddress((ulong)random.NextInt64(), RandomBytes(random, random.Next(60))))
            .ToArray();
        return new EndpointTicket(id, relays, direct, custom);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
