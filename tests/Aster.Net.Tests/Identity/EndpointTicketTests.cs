using System.Net;
using Aster.Net.Identity;
using Aster.Testing;

namespace Aster.Net.Tests.Identity;

/// <summary>iroh endpoint tickets against the iroh-tickets 0.4 vector (transport.md §11).</summary>
public sealed class EndpointTicketTests
{
    private const string IrohId = "ae58ff8833241ac82d6ff7611046ed67b5072d142c588d0063e942d9a75502b6";
    private const string IrohBytes = "00" + IrohId + "02" + "00" + "10" + "687474703a2f2f646572702e6d652e2f" + "01" + "00" + "7f0000018008";
    private const string IrohText = "endpointacxfr74igmsbvsbnn73wcecg5vt3kbzncqwfrdiampuufwnhkublmaqacbuhi5dqhixs6zdfojyc43lffyxqcad7aaaadaai";

    [Fact]
    public void Parse_IrohVector_DecodesAndReencodesExactly()
    {
        EndpointTicket ticket = EndpointTicket.Parse(IrohText);

        Assert.Equal(IrohId, ticket.Id.ToString());
        Assert.Equal("http://derp.me./", Assert.Single(ticket.RelayUrls).OriginalString);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:1024"), Assert.Single(ticket.DirectAddresses));
        Assert.Empty(ticket.CustomAddresses);
        Assert.Equal(IrohBytes, Hex.Encode(ticket.ToBytes()));
        Assert.Equal(IrohText, ticket.ToString());
        Assert.Equal(ticket, EndpointTicket.Parse(IrohText.ToUpperInvariant().Replace("ENDPOINT", "endpoint", StringComparison.Ordinal)));
    }

    [Fact]
    public void Constructor_IrohVectorParts_ProducesTheVector()
    {
        EndpointTicket ticket = new(EndpointId.Parse(IrohId), [new Uri("http://derp.me./")], [IPEndPoint.Parse("127.0.0.1:1024")]);

        Assert.Equal(IrohText, ticket.ToString());
    }

    [Fact]
    public void FromBytes_UnsortedAndDuplicateAddresses_AcceptedAndWrittenInIrohOrder()
    {
        // IPv6, IPv4 (port 2), IPv4 (port 1), relay, IPv4 (port 1) again: iroh keeps a sorted set.
        string unsorted = "00" + IrohId + "05"
            + "01" + "01" + "00000000000000000000000000000001" + "05"
            + "01" + "00" + "7f000001" + "02"
            + "01" + "00" + "7f000001" + "01"
            + "00" + "04" + "613a2f2f"
            + "01" + "00" + "7f000001" + "01";
        string sorted = "00" + IrohId + "04"
            + "00" + "04" + "613a2f2f"
            + "01" + "00" + "7f000001" + "01"
            + "01" + "00" + "7f000001" + "02"
            + "01" + "01" + "00000000000000000000000000000001" + "05";

        EndpointTicket ticket = EndpointTicket.FromBytes(Hex.Decode(unsorted));

        Assert.Equal(sorted, Hex.Encode(ticket.ToBytes()));
        Assert.Equal(3, ticket.DirectAddresses.Count);
    }

    [Fact]
    public void FromBytes_OverLongPortVarint_AcceptedLikePostcardAndWrittenCanonically()
    {
        string overLong = "00" + IrohId + "01" + "01" + "00" + "7f000001" + "808800";

        EndpointTicket ticket = EndpointTicket.FromBytes(Hex.Decode(overLong));

        Assert.Equal(1024, Assert.Single(ticket.DirectAddresses).Port);
        Assert.Equal("00" + IrohId + "01" + "01" + "00" + "7f000001" + "8008", Hex.Encode(ticket.ToBytes()));
    }

    [Fact]
    public void CustomAddresses_InlineAndHeap_RoundTripInIrohOrder()
    {
        CustomTransportAddress small = new(7, [1, 2, 3]);
        CustomTransportAddress large = new(7, Enumerable.Range(0, 40).Select(i => (byte)i).ToArray());
        CustomTransportAddress other = new(1, []);
        EndpointTicket ticket = new(EndpointId.Parse(IrohId), customAddresses: [large, small, other]);

        byte[] bytes = ticket.ToBytes();
        EndpointTicket back = EndpointTicket.Parse(ticket.ToString());

        Assert.Equal([other, small, large], back.CustomAddresses);
        Assert.Equal(bytes, back.ToBytes());
        string expectedSmall = "02" + "07" + "00" + "03" + "010203" + new string('0', 54);
        Assert.Contains(expectedSmall, Hex.Encode(bytes), StringComparison.Ordinal);
        Assert.Equal("7_010203", small.ToString());
    }

    [Fact]
    public void EndpointAddr_Conversions_KeepIdRelayAndAddresses()
    {
        EndpointTicket ticket = EndpointTicket.Parse(IrohText);

        EndpointAddr address = ticket.ToEndpointAddr();

        Assert.Equal(ticket.Id, address.Id);
        Assert.Equal("http://derp.me./", address.RelayUrl!.OriginalString);
        Assert.Equal(ticket.DirectAddresses, address.DirectAddresses);
        Assert.Equal(IrohText, EndpointTicket.FromEndpointAddr(address).ToString());
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("node", 0)]
    [InlineData("endpoin", 7)]
    [InlineData("Endpointaaaa", 0)]
    [InlineData("endpointacxfr74igmsbvsbnn73wcecg5vt3kbzncqwfrdiampuufwnhkublmaqacbuhi5dqhixs6zdfojyc43lffyxqcad7aaaadaa1", 103)]
    [InlineData("endpointab", 9)]
    public void Parse_BadPrefixCharacterOrTrailingBits_NamesTheCharacter(string text, int index)
    {
        AddressFormatException e = Assert.Throws<AddressFormatException>(() => EndpointTicket.Parse(text));

        Assert.Equal(index, e.CharacterIndex);
        Assert.False(EndpointTicket.TryParse(text, out _));
    }

    [Fact]
    public void Parse_ImpossibleBase32Length_Throws()
    {
        AddressFormatException e = Assert.Throws<AddressFormatException>(() => EndpointTicket.Parse("endpointa"));

        Assert.Null(e.ByteOffset);
    }

    [Theory]
    [InlineData("", 0)] // empty
    [InlineData("01", 0)] // unknown wire format variant
    [InlineData("00" + "ae58ff88", 5)] // truncated id
    [InlineData("00" + IrohId, 33)] // no count
    [InlineData("00" + IrohId + "02", 33)] // count 2 with nothing after it
    [InlineData("00" + IrohId + "01" + "03", 34)] // unknown transport address variant
    [InlineData("00" + IrohId + "01" + "01" + "02" + "7f000001", 35)] // unknown socket address family
    [InlineData("00" + IrohId + "01" + "01" + "00" + "7f0000", 39)] // truncated IPv4
    [InlineData("00" + IrohId + "01" + "01" + "00" + "7f000001", 40)] // missing port
    [InlineData("00" + IrohId + "01" + "01" + "00" + "7f000001" + "ffff04", 40)] // port does not fit in 16 bits
    [InlineData("00" + IrohId + "01" + "01" + "00" + "7f000001" + "ffffff", 40)] // port varint too long
    [InlineData("00" + IrohId + "01" + "00" + "05" + "61", 35)] // relay URL length beyond the data
    [InlineData("00" + IrohId + "01" + "00" + "01" + "ff", 36)] // relay URL not UTF-8
    [InlineData("00" + IrohId + "01" + "00" + "03" + "612062", 35)] // relay URL not absolute
    [InlineData("00" + IrohId + "01" + "02" + "07" + "02", 36)] // unknown custom storage variant
    [InlineData("00" + IrohId + "01" + "02" + "07" + "00" + "1f", 37)] // inline custom size over 30
    [InlineData("00" + IrohId + "01" + "02" + "07" + "00" + "01" + "00", 39)] // inline custom data shorter than 30
    [InlineData("00" + IrohId + "01" + "01" + "00" + "7f000001" + "01" + "00", 41)] // trailing byte
    [InlineData("00" + IrohId + "ffffffffffffffffff7f", 33)] // enormous count
    [InlineData("00" + IrohId + "ffffffffffffffffffff01", 33)] // count varint too long
    public void FromBytes_Malformed_NamesTheByteOffset(string hex, int offset)
    {
        byte[] bytes = Hex.Decode(hex);

        AddressFormatException e = Assert.Throws<AddressFormatException>(() => EndpointTicket.FromBytes(bytes));

        Assert.Equal(offset, e.ByteOffset);
        Assert.Contains("endpoint ticket", e.Message, StringComparison.Ordinal);
        Assert.Throws<AddressFormatException>(() => EndpointTicket.Parse("endpoint" + TextEncodings.EncodeBase32(bytes, TextEncodings.Base32Alphabet)));
    }

    [Fact]
    public void FromBytes_EveryTruncationOfTheVector_Throws()
    {
        byte[] bytes = Hex.Decode(IrohBytes);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<AddressFormatException>(() => EndpointTicket.FromBytes(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Parse_OverLongText_Throws()
    {
        string text = "endpoint" + new string('a', EndpointTicket.MaxTextLength);

        AddressFormatException e = Assert.Throws<AddressFormatException>(() => EndpointTicket.Parse(text));

        Assert.Equal(EndpointTicket.MaxTextLength, e.CharacterIndex);
    }
}
