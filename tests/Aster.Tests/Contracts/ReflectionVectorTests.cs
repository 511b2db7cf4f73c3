using System.Text.Json;
using Aster.Contracts;
using Aster.Testing;
using Aster.Tests.Contracts.Mirrors;

namespace Aster.Tests.Contracts;

/// <summary>C# declarations that mirror each vector's service must reproduce its TypeDefs and contract id.</summary>
public sealed class ReflectionVectorTests
{
    public static TheoryData<string, Type> Mirrors() => new()
    {
        { "echo-service", typeof(Mirrors.Echo.IEchoService) },
        { "cycle-three-node-service", typeof(Mirrors.Chain.IChainService) },
        { "cycle-self-reference", typeof(Mirrors.Tree.ITreeService) },
        { "cycle-two-node", typeof(Mirrors.Lib.ILibrary) },
        { "cycle-four-node-cross-edge", typeof(Mirrors.Graph.IGraphService) },
        { "nested-generics", typeof(Mirrors.Gen.IBasketService) },
        { "enum-fields", typeof(Mirrors.Paint.IPaintShop) },
        { "streaming-patterns", typeof(Mirrors.Feed.IMarketFeed) },
        { "primitive-method-types", typeof(Mirrors.Feed.ICounter) },
        { "session-scoped", typeof(Mirrors.Chat.IChatRoom) },
        { "session-scoped-legacy-alias", typeof(Mirrors.Chat.IChatRoom) },
        { "shared-twin-of-session", typeof(Mirrors.Chat.ISharedChatRoom) },
        { "serialization-modes-order", typeof(Mirrors.Echo.IEchoServiceJsonFirst) },
        { "requires-not-in-identity", typeof(Mirrors.Echo.IEchoServiceWithRequirements) },
        { "rpc-name-override-ignored", typeof(Mirrors.Echo.IEchoServiceRenamed) },
        { "unicode-field-order", typeof(Mirrors.Names.INames) },
        { "tag-split-last-slash", typeof(Mirrors.Tags.ITagService) },
        { "inline-params", typeof(Mirrors.Inventory.IInventory) },
        { "hello-example", typeof(Samples.IHello) },
        { "mission-control-example", typeof(Samples.IMissionControl) },
    };

    [VectorTheory]
    [MemberData(nameof(Mirrors))]
    public void Describe_VectorMirror_ReproducesContract(string caseId, Type serviceType)
    {
        JsonElement vector = CanonicalEncoderTests.Case(caseId);

        ContractDescription contract = ServiceContracts.Describe(serviceType);

        string[] expectedOrder = [.. vector.GetProperty("types").EnumerateArray().Select(t => t.GetProperty("fqn").GetString()!)];
        Assert.Equal(expectedOrder, contract.Types.Select(t => t.Shape.FullName));
        foreach ((JsonElement expected, ResolvedType actual) in vector.GetProperty("types").EnumerateArray().Zip(contract.Types))
        {
            Assert.Equal(expected.GetProperty("canonical_hex").GetString(), Hex.Encode(actual.CanonicalBytes));
            Assert.Equal(expected.GetProperty("type_hash").GetString(), actual.HashHex);
        }

        Assert.Equal(vector.GetProperty("expected_canonical_hex").GetString(), Hex.Encode(contract.CanonicalBytes.Span));
        Assert.Equal(vector.GetProperty("expected_contract_id").GetString(), contract.ContractId);
    }

    [VectorFact]
    public void Describe_ThreeNodeCycleTypes_MatchTypeOnlyVector()
    {
        JsonElement vector = CanonicalEncoderTests.Case("cycle-three-node-types");

        ContractDescription contract = ServiceContracts.Describe<Mirrors.Chain.IChainService>();

        Assert.Equal(
            vector.GetProperty("types").EnumerateArray().Select(t => t.GetProperty("type_hash").GetString()),
            contract.Types.Select(t => t.HashHex));
        Assert.Equal("f6c956b80cc7015cb6cbafff68ab81faac06de1b50e6b9ab0610da46dd2094e9", contract.Types[0].HashHex);
    }

    [VectorFact]
    public void Describe_AllPrimitiveKinds_FieldDefsMatchExceptPythonNone()
    {
        // The vector's f_none field (Python annotation None, primitive "null") has no C# equivalent; every other
        // field of prim/AllPrimitives and the whole prim/Unmapped TypeDef must match.
        JsonElement vector = CanonicalEncoderTests.Case("all-primitive-kinds");
        MessageCatalog catalog = new();
        List<ResolvedType> types = TypeGraph.Resolve(catalog, [
            catalog.GetOrAdd(typeof(Mirrors.Prim.AllPrimitives)),
            catalog.GetOrAdd(typeof(Mirrors.Prim.Unmapped)),
        ]);

        TypeDef expectedAll = VectorModel.TypeDef(vector.GetProperty("types")[0].GetProperty("typedef"));
        TypeDef actualAll = types.Single(t => t.Shape.Name == "AllPrimitives").TypeDef;
        TypeDef withoutNone = expectedAll with { Fields = [.. expectedAll.Fields.Where(f => f.Name != "f_none")] };
        Assert.Equal(Hex.Encode(CanonicalEncoder.Encode(withoutNone)), Hex.Encode(CanonicalEncoder.Encode(actualAll)));

        JsonElement unmapped = vector.GetProperty("types")[1];
        Assert.Equal(unmapped.GetProperty("type_hash").GetString(), types.Single(t => t.Shape.Name == "Unmapped").HashHex);
    }

    [VectorFact]
    public void Describe_ServerClassImplementingInterface_SameIdAsInterface()
    {
        JsonElement vector = CanonicalEncoderTests.Case("echo-service");

        Assert.Equal(vector.GetProperty("expected_contract_id").GetString(), ServiceContracts.Describe<Mirrors.Echo.EchoServer>().ContractId);
        Assert.Equal(vector.GetProperty("expected_contract_id").GetString(), ServiceContracts.Describe<Mirrors.Echo.EchoServiceClass>().ContractId);
    }

    [Fact]
    public void Describe_StreamingSignatures_InfersPatterns()
    {
        ContractDescription contract = ServiceContracts.Describe<Mirrors.Feed.IMarketFeed>();

        Assert.Equal(MethodPattern.BidiStream, contract.FindMethod("exchange")!.Pattern);
        Assert.Equal(MethodPattern.ClientStream, contract.FindMethod("publish")!.Pattern);
        Assert.Equal(MethodPattern.Unary, contract.FindMethod("snapshot")!.Pattern);
        Assert.Equal(MethodPattern.ServerStream, contract.FindMethod("watch")!.Pattern);
        Assert.Equal(typeof(Mirrors.Feed.Tick), contract.FindMethod("publish")!.RequestType);
        Assert.True(contract.FindMethod("snapshot")!.Idempotent);
        Assert.Equal(2.5, contract.FindMethod("snapshot")!.TimeoutSeconds);
        Assert.True(contract.FindMethod("watch")!.HasCancellationToken);
    }

    [Fact]
    public void FindMethod_CamelCaseCallerName_FindsSnakeCaseMethod()
    {
        ContractDescription contract = ServiceContracts.Describe<Mirrors.Lib.ILibrary>();

        Assert.Equal("get_book", contract.FindMethod("getBook")!.Name);
        Assert.Null(contract.FindMethod("get_author"));
    }

    [Fact]
    public void Describe_CapabilityAttributes_ReportedButNotHashed()
    {
        ContractDescription contract = ServiceContracts.Describe<Mirrors.Echo.IEchoServiceWithRequirements>();

        Assert.Equal(new CapabilityRequirement(CapabilityKind.AnyOf, ["reader", "ai-reader"]).Kind, contract.Requires!.Kind);
        Assert.Equal(["reader", "ai-reader"], contract.Requires.Roles);
        Assert.Equal(CapabilityKind.Role, contract.Methods[0].Requires!.Kind);
        Assert.Equal(ServiceContracts.Describe<Mirrors.Echo.IEchoService>().ContractId, contract.ContractId);
    }

    [Fact]
    public void Describe_InlineParameters_SynthesisesRequest()
    {
        ContractDescription contract = ServiceContracts.Describe<Mirrors.Inventory.IInventory>();

        ContractMethod lookup = contract.FindMethod("lookup")!;
        Assert.True(lookup.IsInlineRequest);
        Assert.Null(lookup.RequestType);
        Assert.Equal(["sku", "warehouse", "includeReserved"], lookup.InlineParameters.Select(p => p.Name));
        Assert.Equal("shop/LookupRequest", lookup.Request.Shape!.Tag);
    }
}
