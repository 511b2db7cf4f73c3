namespace Aster.Fory.Tests;

public sealed class WireNamingTests
{
    [Theory]
    [InlineData("TaskId", "task_id")]
    [InlineData("ExitCode", "exit_code")]
    [InlineData("UserID", "user_id")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("IOStream", "io_stream")]
    [InlineData("MyURLValue", "my_url_value")]
    [InlineData("Address2Line", "address2_line")]
    [InlineData("Name", "name")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("Snake_Case", "snake_case")]
    [InlineData("", "")]
    public void ToSnakeCase_SpecTable_MatchesWireName(string csharp, string wire)
    {
        Assert.Equal(wire, WireNaming.ToSnakeCase(csharp));
    }

    [Theory]
    [InlineData("task_id", "taskId")]
    [InlineData("address2_line", "address2Line")]
    [InlineData("name", "name")]
    [InlineData("a__b", "aB")]
    [InlineData("trailing_", "trailing")]
    public void ToCamelCaseAlias_WireName_MatchesForyJsRule(string wire, string alias)
    {
        Assert.Equal(alias, WireNaming.ToCamelCaseAlias(wire));
    }

    [Theory]
    [InlineData("user_i_d", "userid")]
    [InlineData("userId", "userid")]
    [InlineData("USER_ID", "userid")]
    public void Normalize_DifferentConventions_Agree(string name, string normalized)
    {
        Assert.Equal(normalized, WireNaming.Normalize(name));
    }

    [Theory]
    [InlineData("SayHelloAsync", "say_hello")]
    [InlineData("GetStatus", "get_status")]
    [InlineData("Async", "async")]
    public void ToMethodWireName_StripsAsyncSuffix(string method, string wire)
    {
        Assert.Equal(wire, WireNaming.ToMethodWireName(method));
    }
}
