using System.Text;
using Aster.Protocol;
using Aster.Protocol.Json;

namespace Aster.Tests.Protocol;

public sealed class WireNameTableTests
{
    private static readonly string _service = new(['M', 'i', 's', 's', 'i', 'o', 'n']);
    private static readonly string _method = new(['g', 'e', 't', 'S', 't', 'a', 't', 'u', 's']);
    private static readonly string _unicode = "Zürich✓";

    [Fact]
    public void Find_KnownName_ReturnsTheTablesInstance()
    {
        var table = new WireNameTable([_service, _method, _unicode]);
        Assert.Same(_service, table.Find("Mission"u8));
        Assert.Same(_method, table.Find("getStatus"u8));
        Assert.Same(_unicode, table.Find(Encoding.UTF8.GetBytes(_unicode)));
    }

    [Fact]
    public void FindLatin1_KnownName_ReturnsTheTablesInstance_OthersNull()
    {
        string zurich = new(['Z', 'ü', 'r', 'i', 'c', 'h']);
        var table = new WireNameTable([_service, zurich]);
        Assert.Same(_service, table.FindLatin1("Mission"u8));
        Assert.Same(zurich, table.FindLatin1([(byte)'Z', 0xFC, (byte)'r', (byte)'i', (byte)'c', (byte)'h']));
        Assert.Null(table.FindLatin1(Encoding.UTF8.GetBytes(zurich))); // UTF-8 bytes read as LATIN1 spell another name
        Assert.Null(table.FindLatin1(new byte[300]));
    }

    [Fact]
    public void Find_UnknownLongOrInvalidUtf8_ReturnsNull()
    {
        var table = new WireNameTable([_service, "\uFFFD"]);
        Assert.Null(table.Find("mission"u8));
        Assert.Null(table.Find(""u8));
        Assert.Null(table.Find(Encoding.UTF8.GetBytes(new string('a', 300))));
        Assert.Null(table.Find([0xFF])); // would decode to U+FFFD, which is in the table: invalid bytes are never a name
    }

    [Fact]
    public void ReadHeader_WithTable_ReusesKnownNames_AndDecodesOthersAsBefore()
    {
        var table = new WireNameTable([_service, _method]);
        StreamHeader known = ProtocolJson.ReadHeader("{\"service\":\"Mission\",\"method\":\"getStatus\"}"u8, table);
        Assert.Same(_service, known.Service);
        Assert.Same(_method, known.Method);

        StreamHeader escaped = ProtocolJson.ReadHeader("{\"service\":\"Missio\\u006e\",\"method\":\"other\"}"u8, table);
        Assert.Equal("Mission", escaped.Service);
        Assert.Equal("other", escaped.Method);

        Assert.Throws<ProtocolFormatException>(() => ProtocolJson.ReadHeader("{\"service\":7}"u8, table));
        Assert.Throws<ProtocolFormatException>(() => ProtocolJson.ReadHeader([.. "{\"service\":\""u8, 0xFF, .. "\"}"u8], table));
    }
}
