using System.Net;
using System.Text;
using Aster.Net.Identity;

namespace Aster.Net.Tests.Identity;

/// <summary>EndpointAddr and the address forms of config-and-cli.md §9.</summary>
public sealed class EndpointAddrTests
{
    private const string CapturedId = "45cf1271267f916f8df39bada907922d26600d292f3af0ede5d8ec881f1430db";
    private const string CapturedTicket = "aster1GJyBK7ScFLpimxEjwhwkFXCftwZQZw1BNwMGiQhypNEiBKpj6Q1zAnNu";

    [Fact]
    public void Parse_AsterTicket_GivesIdAndDirectAddress()
    {
        EndpointAddr address = EndpointAddr.Parse(CapturedTicket);

        Assert.Equal(CapturedId, address.Id.ToString());
        Assert.Null(address.RelayUrl);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:50306"), Assert.Single(address.DirectAddresses));
        Assert.Equal(CapturedTicket, address.ToString());
    }

    [Fact]
    public void Parse_NodeAddrBase64_MatchesPythonForm()
    {
        // wire-protocol.md §17: base64 of "<hex id>\n\n127.0.0.1:50306".
        string base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(CapturedId + "\n\n127.0.0.1:50306"));

        EndpointAddr address = EndpointAddr.Parse(base64);

        Assert.Equal(EndpointAddr.Parse(CapturedTicket), address);
        Assert.Equal(base64, address.ToNodeAddrBase64());
    }

    [Fact]
    public void Parse_Base64OfBareHexId_AsTheTypeScriptServerSends()
    {
        string base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(CapturedId));

        EndpointAddr address = EndpointAddr.Parse(base64);

        Assert.Equal(CapturedId, address.Id.ToString());
        Assert.Empty(address.DirectAddresses);
    }

    [Fact]
    public void Parse_BareIdAndEndpointTicket_Accepted()
    {
        EndpointId id = EndpointId.Parse(CapturedId);

        Assert.Equal(id, EndpointAddr.Parse(CapturedId).Id);
        Assert.Equal(id, EndpointAddr.Parse(" " + id.ToBase32() + "\n").Id);
        EndpointTicket ticket = new(id, [new Uri("https://relay.example/")], [IPEndPoint.Parse("[::1]:7")]);
        EndpointAddr fromTicket = EndpointAddr.Parse(ticket.ToString());
        Assert.Equal(new Uri("https://relay.example/"), fromTicket.RelayUrl);
        Assert.Equal(IPEndPoint.Parse("[::1]:7"), Assert.Single(fromTicket.DirectAddresses));
    }

    [Fact]
    public void NodeAddrText_RelayAndIpv6_RoundTrip()
    {
        EndpointAddr address = new(
            EndpointId.Parse(CapturedId),
            new Uri("https://relay.example/"),
            [IPEndPoint.Parse("10.1.2.3:4"), IPEndPoint.Parse("[2001:db8::1]:65535")]);

        string text = address.ToNodeAddrText();

        Assert.Equal(CapturedId + "\nhttps://relay.example/\n10.1.2.3:4\n[2001:db8::1]:65535", text);
        Assert.Equal(address, EndpointAddr.ParseNodeAddrText(text));
        Assert.Equal(address, EndpointAddr.ParseNodeAddrText(text + "\n\n"));
    }

    [Fact]
    public void With_ReturnsModifiedCopies()
    {
        EndpointAddr address = new(EndpointId.Parse(CapturedId));

        EndpointAddr withRelay = address.WithRelayUrl(new Uri("https://r.example/"));
        EndpointAddr withDirect = address.WithDirectAddresses([IPEndPoint.Parse("1.2.3.4:5")]);

        Assert.Null(address.RelayUrl);
        Assert.Empty(address.DirectAddresses);
        Assert.NotNull(withRelay.RelayUrl);
        Assert.Single(withDirect.DirectAddresses);
        Assert.NotEqual(address, withDirect);
    }

    [Fact]
    public void Constructor_CopiesDirectAddresses()
    {
        IPEndPoint endPoint = IPEndPoint.Parse("1.2.3.4:5");
        EndpointAddr address = new(EndpointId.Parse(CapturedId), null, [endPoint]);

        endPoint.Port = 6;

        Assert.Equal(5, address.DirectAddresses[0].Port);
        Assert.Throws<ArgumentException>(() => new EndpointAddr(default, new Uri("/relative", UriKind.Relative)));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData("not an address!", null)]
    [InlineData("aster1", null)]
    public void Parse_Garbage_ThrowsAddressFormatException(string text, int? index)
    {
        AddressFormatException e = Assert.Throws<AddressFormatException>(() => EndpointAddr.Parse(text));

        Assert.Equal(index, e.CharacterIndex);
        Assert.False(EndpointAddr.TryParse(text, out _));
    }

    [Theory]
    [InlineData(CapturedId + "\n\n127.0.0.1", 75)]
    [InlineData(CapturedId + "\n\n127.0.0.1:65536", 76)]
    [InlineData(CapturedId + "\n\n127.0.0.1:x", 76)]
    [InlineData(CapturedId + "\n\n127.0.1:80", 66)]
    [InlineData(CapturedId + "\n\n::1:80", 66)]
    [InlineData(CapturedId + "\n\n[1.2.3.4]:80", 67)]
    [InlineData(CapturedId + "\nnot a url\n", 65)]
    [InlineData("45cf1271267f916f8df39bada907922d26600d292f3af0ede5d8ec881f1430dz\n\n", 63)]
    public void ParseNodeAddrText_Malformed_NamesTheCharacter(string text, int index)
    {
        AddressFormatException e = Assert.Throws<AddressFormatException>(() => EndpointAddr.ParseNodeAddrText(text));

        Assert.Equal(index, e.CharacterIndex);
    }
}
