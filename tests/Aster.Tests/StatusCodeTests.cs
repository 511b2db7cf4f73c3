namespace Aster.Tests;

public sealed class StatusCodeTests
{
    [Theory]
    [InlineData(StatusCode.OK, 0, "OK")]
    [InlineData(StatusCode.DeadlineExceeded, 4, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.Unimplemented, 12, "UNIMPLEMENTED")]
    [InlineData(StatusCode.Unauthenticated, 16, "UNAUTHENTICATED")]
    [InlineData(StatusCode.ContractViolation, 101, "CONTRACT_VIOLATION")]
    public void GetName_KnownCode_MatchesWireTable(StatusCode code, int value, string name)
    {
        Assert.Equal(value, (int)code);
        Assert.Equal(name, StatusCodeNames.GetName(code));
        Assert.True(StatusCodeNames.IsDefined(code));
    }

    [Fact]
    public void GetName_UnknownCode_KeepsNumber()
    {
        Assert.Equal("57", StatusCodeNames.GetName((StatusCode)57));
        Assert.False(StatusCodeNames.IsDefined((StatusCode)57));
    }

    [Fact]
    public void RpcException_CarriesStatusButLocalMessage()
    {
        var ex = new RpcException(StatusCode.NotFound, "no such mission", [new("key", "value")]);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("no such mission", ex.Status.Message);
        Assert.Single(ex.Status.Details);
        Assert.Contains("NOT_FOUND", ex.Message, StringComparison.Ordinal);
    }
}
