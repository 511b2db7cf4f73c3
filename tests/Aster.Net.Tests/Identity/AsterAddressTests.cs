using System.Net;
using System.Text.Json;
using Aster.Net.Identity;
using Aster.Testing;

namespace Aster.Net.Tests.Identity;

/// <summary>The aster1 codec (wire-protocol.md §18) against trust.json tickets and the spec's worked examples.</summary>
public sealed class AsterAddressTests
{
    private const string Id00To1F = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    // wire-protocol.md §18, worked example 2 (every part present).
    private const string Example2Wire = Id00To1F + "14" + "57fe008801bb" + "20" + "10" + "c0a801b3d054" + "20010db80000000000000000000000011151" + "000000";
    private const string Example2Text = "aster112jVjGbD3wrDT6L19fyB486MyMfMdNjc148QTEgR2qyj7nRQbqyZk9SSJ8aNjNncTEvBxHH6m6YrFtUDiSmnxWSwWJL7";

    public static TheoryData<string> TicketNames()
    {
        TheoryData<string> data = [];
        if (Vectors.Root is null)
        {
            data.Add("(vectors absent)");
            return data;
        }

        using JsonDocument doc = Vectors.Load("trust.json");
        foreach (JsonElement t in doc.RootElement.GetProperty("tickets").EnumerateArray())
        {
            data.Add(t.GetProperty("name").GetString()!);
        }

        return data;
    }

    [VectorTheory]
    [MemberData(nameof(TicketNames))]
    public void Parse_TrustVector_DecodesFieldsAndReencodesByteExact(string name)
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        JsonElement v = doc.RootElement.GetProperty("tickets").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);
        string text = v.GetProperty("string").GetString()!;
        string wire = v.GetProperty("wire").GetString()!;

        AsterAddress address = AsterAddress.Parse(text);

        Assert.Equal(v.GetProperty("endpoint_id").GetString(), address.Id.ToString());
        Assert.Equal(ParseVectorEndPoint(v.GetProperty("relay")), address.Relay);
        Assert.Equal(
            v.GetProperty("direct").EnumerateArray().Select(ParseVectorEndPoint).ToArray(),
            address.DirectAddresses.ToArray());
        JsonElement credential = v.GetProperty("credential");
        if (credential.ValueKind == JsonValueKind.Null)
        {
            Assert.Null(address.Credential);
        }
        else
        {
            Assert.NotNull(address.Credential);
            Assert.Equal(credential.GetProperty("type").GetInt32(), (int)address.Credential.Kind);
            Assert.Equal(credential.GetProperty("payload").GetString(), Hex.Encode(address.Credential.Payload.Span));
        }

        Assert.Equal(wire, Hex.Encode(address.ToBytes()));
        Assert.Equal(v.GetProperty("wire_length").GetInt32(), address.ToBytes().Length);
        Assert.Equal(text, address.ToString());
        Assert.Equal(address, AsterAddress.FromBytes(Hex.Decode(wire)));

        // Built from its parts, the same bytes come out.
        AsterAddress rebuilt = new(address.Id, address.Relay, address.DirectAddresses, address.Credential);
        Assert.Equal(text, rebuilt.ToString());
    }

    [Fact]
    public void ToString_SpecExample2_MatchesText()
    {
        AsterAddress address = new(
            EndpointId.Parse(Id00To1F),
            IPEndPoint.Parse("87.254.0.136:443"),
            [IPEndPoint.Parse("192.168.1.179:53332"), IPEndPoint.Parse("[2001:db8::1]:4433")],
            AddressCredential.Open);

        Assert.Equal(Example2Wire, Hex.Encode(address.ToBytes()));
        Assert.Equal(68, address.ToBytes().Length);
        Assert.Equal(Example2Text, address.ToString());
        Assert.Equal(address, AsterAddress.Parse(Example2Text));
    }

    [Fact]
    public void Encode_ReferenceLengths_Match()
    {
        // Lengths from the reference core's tests (core/src/ticket.rs), quoted in wire-protocol.md §18.
        EndpointId id = EndpointId.Parse(Id00To1F);
        IPEndPoint relay4 = IPEndPoint.Parse("87.254.0.136:443");

        Assert.Equal(34, new AsterAddress(id).ToBytes().Length);
        Assert.Equal(40, new AsterAddress(id, relay4).ToBytes().Length);
        Assert.Equal(53, new AsterAddress(id, relay4, [IPEndPoint.Parse("192.168.1.179:53332"), IPEndPoint.Parse("10.0.0.1:9000")]).ToBytes().Length);
        Assert.Equal(52, new AsterAddress(id, IPEndPoint.Parse("[2001:db8::2]:3478")).ToBytes().Length);
        Assert.Equal("aster11JNArUumxYJcSQpbuxuroRZtcSMVLcy5WbYGt14SRkz2j", new AsterAddress(id).ToString());
    }

    [Fact]
    public void Credentials_EveryKind_RoundTrip()
    {
        EndpointId id = EndpointId.Parse(Id00To1F);
        AddressCredential[] credentials =
        [
            AddressCredential.Open,
            AddressCredential.ConsumerCredential("{\"a\":1}"u8),
            AddressCredential.Enrollment(new byte[219]), // 34 + 3 + 219 = 256, the most that fits
            AddressCredential.RegistryRead(new byte[32]),
        ];

        foreach (AddressCredential credential in credentials)
        {
            AsterAddress address = new(id, credential: credential);

            AsterAddress back = AsterAddress.Parse(address.ToString());

            Assert.Equal(credential, back.Credential);
            Assert.Equal(address.ToBytes(), back.ToBytes());
        }
    }

    [Fact]
    public void Decode_ReservedBitsSet_IgnoredAsTheReferenceDoes()
    {
        byte[] wire = Hex.Decode(Id00To1F + "13" + "1f" + "00" + "7f000001c482");

        AsterAddress address = AsterAddress.FromBytes(wire);

        Assert.Single(address.DirectAddresses);
        Assert.Equal(Id00To1F + "10" + "10" + "00" + "7f000001c482", Hex.Encode(address.ToBytes()));
    }

    [Fact]
    public void Constructor_TooManyAddressesOrTooLong_Throws()
    {
        EndpointId id = EndpointId.Parse(Id00To1F);
        IPEndPoint v6 = IPEndPoint.Parse("[2001:db8::1]:1");

        Assert.Throws<ArgumentException>(() => new AsterAddress(id, directAddresses: Enumerable.Repeat(IPEndPoint.Parse("1.2.3.4:5"), 16)));
        Assert.Throws<ArgumentException>(() => new AsterAddress(id, directAddresses: Enumerable.Repeat(v6, 13)));
        Assert.Throws<ArgumentException>(() => AddressCredential.ConsumerCredential(new byte[221]));
        Assert.Throws<ArgumentException>(() => AddressCredential.RegistryRead(new byte[31]));
        Assert.Throws<ArgumentException>(() => AddressCredential.Create((AddressCredentialKind)4, []));
    }

    [Fact]
    public void EndpointAddr_Conversions_KeepIdAndDirectAddresses()
    {
        AsterAddress address = AsterAddress.Parse(Example2Text);

        EndpointAddr endpoint = address.ToEndpointAddr();
        AsterAddress back = AsterAddress.FromEndpointAddr(endpoint, AddressCredential.Open);

        Assert.Equal(address.Id, endpoint.Id);
        Assert.Null(endpoint.RelayUrl);
        Assert.Equal(address.DirectAddresses, endpoint.DirectAddresses);
        Assert.Null(back.Relay);
        Assert.Equal(address.DirectAddresses, back.DirectAddresses);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("aster", 5)]
    [InlineData("Aster11JNArUumxYJcSQpbuxuroRZtcSMVLcy5WbYGt14SRkz2j", 0)]
    [InlineData("aster21JNArUumxYJcSQpbuxuroRZtcSMVLcy5WbYGt14SRkz2j", 5)]
    [InlineData("endpointaaaa", 0)]
    [InlineData("aster11JNArUumxYJcSQpbuxuroRZtcSMVLcy5WbYGt14SRkz20", 50)]
    [InlineData("aster11JNArUumxYJcSQpbuxuroRZtcSMVLcy5WbYGt14SRkz2I", 50)]
    [InlineData("aster1 1JNArUumxYJcSQpbuxuroRZtcSMVLcy5WbYGt14SRkz2j", 6)]
    public void Parse_BadPrefixOrCharacter_NamesTheCharacter(string text, int index)
    {
        AddressFormatException e = Assert.Throws<AddressFormatException>(() => AsterAddress.Parse(text));

        Assert.Equal(index, e.CharacterIndex);
        Assert.False(AsterAddress.TryParse(text, out _));
    }

    [Theory]
    [InlineData("", 0)] // 0 bytes
    [InlineData(Id00To1F + "10", 33)] // 33 bytes: too short
    [InlineData(Id00To1F + "20" + "00", 32)] // version 2
    [InlineData(Id00To1F + "00" + "00", 32)] // version 0
    [InlineData(Id00To1F + "1c" + "00", 32)] // relay type 3
    [InlineData(Id00To1F + "14" + "57fe0088", 37)] // truncated IPv4 relay
    [InlineData(Id00To1F + "18" + "20010db800", 38)] // truncated IPv6 relay
    [InlineData(Id00To1F + "14" + "57fe008801bb", 39)] // relay but no count byte
    [InlineData(Id00To1F + "10" + "50" + "00", 35)] // five addresses need two bitfield bytes
    [InlineData(Id00To1F + "10" + "10" + "80" + "7f000001c482", 34)] // address type 10
    [InlineData(Id00To1F + "10" + "20" + "30" + "7f000001c482" + "7f000001c482", 34)] // address type 11 for the second
    [InlineData(Id00To1F + "10" + "10" + "00" + "7f000001c4", 40)] // truncated IPv4 direct address
    [InlineData(Id00To1F + "10" + "10" + "40" + "7f000001c482", 41)] // IPv6 announced, six bytes present
    [InlineData(Id00To1F + "10" + "00" + "00", 35)] // credential header truncated (1 byte)
    [InlineData(Id00To1F + "10" + "00" + "0000", 36)] // credential header truncated (2 bytes)
    [InlineData(Id00To1F + "10" + "00" + "04" + "0000", 34)] // unknown credential type
    [InlineData(Id00To1F + "10" + "00" + "01" + "00dd", 35)] // payload 221 > 220
    [InlineData(Id00To1F + "10" + "00" + "01" + "0005" + "7b7d", 39)] // payload truncated
    [InlineData(Id00To1F + "10" + "00" + "00" + "0001" + "00", 35)] // open credential with a payload
    [InlineData(Id00To1F + "10" + "00" + "03" + "0001" + "00", 35)] // registry read of 1 byte
    [InlineData(Id00To1F + "10" + "00" + "00" + "0000" + "00", 37)] // trailing byte
    [InlineData(Id00To1F + "10" + "10" + "00" + "7f000001c482" + "00000000", 44)] // trailing after open credential
    public void FromBytes_Malformed_NamesTheByteOffset(string hex, int offset)
    {
        byte[] bytes = Hex.Decode(hex);

        AddressFormatException e = Assert.Throws<AddressFormatException>(() => AsterAddress.FromBytes(bytes));

        Assert.Equal(offset, e.ByteOffset);
        Assert.Null(e.CharacterIndex);
        Assert.Contains("aster1 address", e.Message, StringComparison.Ordinal);

        // The same bytes in text form fail the same way.
        string text = "aster1" + Base58(bytes);
        AddressFormatException t = Assert.Throws<AddressFormatException>(() => AsterAddress.Parse(text));
        Assert.Equal(e.Message, t.Message);
    }

    [Fact]
    public void FromBytes_257Bytes_TooLong()
    {
        byte[] bytes = new byte[257];
        bytes[32] = 0x10;

        AddressFormatException e = Assert.Throws<AddressFormatException>(() => AsterAddress.FromBytes(bytes));

        Assert.Equal(256, e.ByteOffset);
    }

    [Fact]
    public void Parse_TextDecodingToMoreThan256Bytes_TooLong()
    {
        string text = "aster1" + new string('z', 351);

        AddressFormatException e = Assert.Throws<AddressFormatException>(() => AsterAddress.Parse(text));

        Assert.Contains("256", e.Reason, StringComparison.Ordinal);
        Assert.NotNull(e.CharacterIndex);
    }

    [Fact]
    public void FromBytes_EveryTruncationOfExample2_Throws()
    {
        byte[] wire = Hex.Decode(Example2Wire);
        for (int length = 0; length < wire.Length; length++)
        {
            if (length == 65)
            {
                continue; // ends exactly after the direct addresses: a valid address without a credential
            }

            Assert.Throws<AddressFormatException>(() => AsterAddress.FromBytes(wire.AsSpan(0, length)));
        }

        Assert.Null(AsterAddress.FromBytes(wire.AsSpan(0, 65)).Credential);
    }

    internal static string Base58(byte[] bytes) => TextEncodings.EncodeBase58(bytes);

    internal static IPEndPoint? ParseVectorEndPoint(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // The vectors write IPv6 without brackets ("2001:db8::1:65535"): the port follows the last colon.
        string s = e.GetString()!;
        int colon = s.LastIndexOf(':');
        string host = s[..colon].Trim('[', ']');
        return new IPEndPoint(IPAddress.Parse(host), int.Parse(s[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
