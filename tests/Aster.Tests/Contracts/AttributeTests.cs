using Aster.Contracts;
using Aster.Fory;

#pragma warning disable CA1034

namespace Aster.Tests.Contracts;

public sealed class AttributeTests
{
    public enum Role
    {
        [WireName("ops.status")]
        OpsStatus,
        Admin,
    }

    [AsterService]
    [Requires(Role.Admin)]
    public interface IEnumRoles
    {
        [RequiresAllOf(Role.OpsStatus, Role.Admin)]
        ValueTask<Mirrors.Echo.EchoResponse> EchoAsync(Mirrors.Echo.EchoRequest request);
    }

    public sealed record Untagged(string Value);

    public sealed class Outer
    {
        public sealed record Inner(string Value);
    }

    [Fact]
    public void CapabilityAttributes_EnumRoles_UseWireNames()
    {
        ContractDescription contract = ServiceContracts.Describe<IEnumRoles>();

        Assert.Equal(new CapabilityKind[] { CapabilityKind.Role }, [contract.Requires!.Kind]);
        Assert.Equal(["Admin"], contract.Requires.Roles);
        Assert.Equal(CapabilityKind.AllOf, contract.Methods[0].Requires!.Kind);
        Assert.Equal(["ops.status", "Admin"], contract.Methods[0].Requires!.Roles);
    }

    [Fact]
    public void TagOf_NoWireType_NamespaceSlashNestedName()
    {
        Assert.Equal("Aster.Tests.Contracts/AttributeTests.Untagged", MessageCatalog.TagOf(typeof(Untagged)));
        Assert.Equal("Aster.Tests.Contracts/AttributeTests.Outer.Inner", MessageCatalog.TagOf(typeof(Outer.Inner)));
    }

    [Fact]
    public void TagOf_TagWithSeveralSlashes_SplitsAtLastSlash()
    {
        MessageCatalog catalog = new();

        MessageShape shape = catalog.GetOrAdd(typeof(Mirrors.Tags.Leafy));

        Assert.Equal("ns.with.dots/deep", shape.Package);
        Assert.Equal("Leafy", shape.Name);
        Assert.Equal("ns.with.dots/deep.Leafy", shape.FullName);
    }

    [Fact]
    public void Describe_InterfaceName_DropsIPrefix()
    {
        Assert.Equal("ChainService", ServiceContracts.Describe<Mirrors.Chain.IChainService>().Name);
        Assert.Equal(["xlang"], ServiceContracts.Describe<Mirrors.Chain.IChainService>().SerializationModes);
        Assert.Equal(ServiceScope.Shared, ServiceContracts.Describe<Mirrors.Chain.IChainService>().Scope);
    }
}
