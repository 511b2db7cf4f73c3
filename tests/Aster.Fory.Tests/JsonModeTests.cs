using System.Text;
using Aster.Fory.Json;
using Aster.Fory.Protocol;

namespace Aster.Fory.Tests.JsonMode;

[WireType("tasks/TaskStatus")]
public sealed record TaskStatus(string TaskId, long ExitCode, DateTime? FinishedAt);

[WireType("tasks/TaskStatus", JsonNaming = JsonNaming.CamelCase)]
public sealed record TaskStatusTs(string TaskId, long ExitCode, DateTime? FinishedAt);

[WireType("t/Custom")]
public sealed record Custom([property: WireName("n", Json = "theName")] string Name, double Ratio, List<int> Items, Dictionary<string, bool> Flags, byte[] Blob);

public sealed class JsonModeTests
{
    private static string Json<T>(T value) => Encoding.UTF8.GetString(ForyJson.Serialize(value));

    private static T Read<T>(string json) => ForyJson.Deserialize<T>(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Serialize_PascalCaseRecord_WritesSnakeCaseKeys()
    {
        Assert.Equal("{\"task_id\":\"t1\",\"exit_code\":0,\"finished_at\":null}", Json(new TaskStatus("t1", 0, null)));
    }

    [Fact]
    public void Serialize_CamelCaseNaming_WritesCamelCaseKeys()
    {
        Assert.Equal("{\"taskId\":\"t1\",\"exitCode\":0,\"finishedAt\":null}", Json(new TaskStatusTs("t1", 0, null)));
    }

    [Fact]
    public void Deserialize_SnakeAndCamelKeys_BothAccepted()
    {
        Assert.Equal(new TaskStatus("t1", 3, null), Read<TaskStatus>("{\"task_id\":\"t1\",\"exit_code\":3}"));
        Assert.Equal(new TaskStatus("t1", 3, null), Read<TaskStatus>("{ \"taskId\" : \"t1\", \"exitCode\" : 3 }"));
        Assert.Equal(new TaskStatusTs("t1", 3, null), Read<TaskStatusTs>("{\"task_id\":\"t1\",\"exitCode\":3}"));
    }

    [Fact]
    public void WireNameJsonOverride_UsedForKey()
    {
        Custom c = new("x", 0.1, [1, 2], new() { ["a"] = true }, [1, 2, 3]);
        string json = Json(c);
        Assert.Equal("{\"theName\":\"x\",\"ratio\":0.1,\"items\":[1,2],\"flags\":{\"a\":true},\"blob\":\"AQID\"}", json);
        Custom back = Read<Custom>(json);
        Assert.Equal("x", back.Name);
        Assert.Equal([1, 2], back.Items);
        Assert.Equal("x", Read<Custom>("{\"n\":\"x\"}").Name);
    }

    [Fact]
    public void Deserialize_UnknownKey_ThrowsContractViolation()
    {
        ForyJsonContractException e = Assert.Throws<ForyJsonContractException>(() => Read<TaskStatus>("{\"task_id\":\"t\",\"bogus\":1}"));
        Assert.Equal(["bogus"], e.UnexpectedFields);
        Assert.Equal("$", e.Location);
        Assert.Equal("tasks/TaskStatus", e.ExpectedClass);
        Assert.StartsWith("contract violation at $: unexpected JSON field(s) ['bogus']", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_DuplicateKeyViaAlias_ThrowsContractViolation()
    {
        Assert.Throws<ForyJsonContractException>(() => Read<TaskStatus>("{\"task_id\":\"a\",\"taskId\":\"b\"}"));
    }

    [Fact]
    public void RpcStatus_JsonForm_MatchesReference()
    {
        // wire-protocol.md 7.1: 57 bytes, camelCase keys in this order
        string json = Json(new RpcStatus());
        Assert.Equal("{\"code\":0,\"message\":\"\",\"detailKeys\":[],\"detailValues\":[]}", json);
        Assert.Equal(57, json.Length);
        Assert.Equal(new RpcStatus { Code = 3 }.Code, Read<RpcStatus>("{\"code\":3,\"message\":\"\",\"detailKeys\":[],\"detailValues\":[]}").Code);
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-07, "1e-07")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123.456, "123.456")]
    [InlineData(-2.5e-5, "-2.5e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    public void WriteDouble_PythonRepr(double value, string expected)
    {
        StringBuilder b = new();
        b.Append(PythonJsonText.FormatDouble(value));
        Assert.Equal(expected, b.ToString());
    }

    [Fact]
    public void WriteString_PythonEscaping()
    {
        StringBuilder b = new();
        PythonJsonText.AppendString(b, "a\"b\\c/\n\té😀\u0001");
        Assert.Equal("\"a\\\"b\\\\c/\\n\\t\\u00e9\\ud83d\\ude00\\u0001\"", b.ToString());
    }

    [Fact]
    public void Deserialize_MalformedJson_ThrowsForyDecodeException()
    {
        Assert.Throws<ForyDecodeException>(() => Read<TaskStatus>("{\"task_id\":"));
        Assert.Throws<ForyDecodeException>(() => Read<TaskStatus>("{\"task_id\":5}"));
    }
}
