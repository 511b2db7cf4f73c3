using Aster.Contracts;

namespace Aster.Tests.Contracts;

/// <summary>
/// The contract ids of the sample services, recorded once: they must stay the same across runs, machines and
/// releases (the same values as the reference Python binding computes, vectors "hello-example" and
/// "mission-control-example").
/// </summary>
public sealed class SampleContractTests
{
    [Fact]
    public void Describe_Hello_RecordedContractId()
    {
        ContractDescription contract = ServiceContracts.Describe<Samples.IHello>();

        Assert.Equal("e955a80726f2b066e1a2b9015da9a12318616cce7a413b499a2eacc900566b8b", contract.ContractId);
        Assert.Equal("Hello", contract.Name);
        Assert.Equal(["countdown", "sayHello"], contract.Methods.Select(m => m.Name));
        Assert.Equal(MethodPattern.ServerStream, contract.Methods[0].Pattern);
        Assert.Equal(30.0, contract.Methods[1].TimeoutSeconds);
    }

    [Fact]
    public void Describe_MissionControl_RecordedContractId()
    {
        ContractDescription contract = ServiceContracts.Describe<Samples.IMissionControl>();

        Assert.Equal("e3b851b75438eb6f1e8bafb96e9d6cf964a58280ba1c38b8cf3352c3148c9c52", contract.ContractId);
        Assert.Equal(["getStatus", "ingestMetrics", "submitLog", "tailLogs"], contract.Methods.Select(m => m.Name));
        Assert.Equal(
            [MethodPattern.Unary, MethodPattern.ClientStream, MethodPattern.Unary, MethodPattern.ServerStream],
            contract.Methods.Select(m => m.Pattern));
        Assert.Equal(7, contract.TypeHashes.Count);
    }

    [Fact]
    public void Describe_EchoService_MatchesPublishedCrossLanguageId()
    {
        // tests/python/test_cross_language_conformance.py in the reference repository.
        Assert.Equal("12d2f2990f4dd71dfd59f5db470d186f1fcc7dbafdac0ea7fdf838ab263c0578",
            ServiceContracts.Describe<Mirrors.Echo.IEchoService>().ContractId);
    }
}
