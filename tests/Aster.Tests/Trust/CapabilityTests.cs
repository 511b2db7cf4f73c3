using Aster.Contracts;
using Aster.Trust;

namespace Aster.Tests.Trust;

public sealed class CapabilityTests
{
    private static Dictionary<string, string> Roles(string value) => new() { ["aster.role"] = value };

    [Theory]
    [InlineData("ops", "ops.status")]
    [InlineData("OPS.STATUS", "ops.status")]
    [InlineData("", "ops.status")]
    public void Role_T28_PrefixOrCaseMismatch_Denied(string callerRoles, string required)
    {
        Assert.Equal(CapabilityDecision.MethodDenied, CapabilityEvaluator.Evaluate(null, CapabilityRequirement.Role(required), Roles(callerRoles)));
    }

    [Fact]
    public void AnyOf_T28_NoOverlap_Denied()
    {
        Assert.Equal(CapabilityDecision.ServiceDenied, CapabilityEvaluator.Evaluate(CapabilityRequirement.AnyOf("a", "b"), null, Roles("c,d")));
        Assert.Equal(CapabilityDecision.Allowed, CapabilityEvaluator.Evaluate(CapabilityRequirement.AnyOf("a", "b"), null, Roles("c,b")));
    }

    [Fact]
    public void AllOf_T28_MissingOne_Denied()
    {
        Assert.Equal(CapabilityDecision.MethodDenied, CapabilityEvaluator.Evaluate(null, CapabilityRequirement.AllOf("ops.status", "ops.logs"), Roles("ops.status")));
    }

    [Fact]
    public void AllOf_T29_WhitespaceAndEmptyParts_Accepted()
    {
        Assert.Equal(CapabilityDecision.Allowed, CapabilityEvaluator.Evaluate(null, CapabilityRequirement.AllOf("ops.status", "ops.logs"), Roles(" ops.status , ,ops.logs")));
    }

    [Fact]
    public void Evaluate_NoRequirements_Allowed_AndMissingAttributesGiveEmptySet()
    {
        Assert.Equal(CapabilityDecision.Allowed, CapabilityEvaluator.Evaluate(null, null, null));
        Assert.Empty(CapabilityEvaluator.CallerRoles(new Dictionary<string, string>()));
        Assert.Equal(CapabilityDecision.ServiceDenied, CapabilityEvaluator.Evaluate(CapabilityRequirement.Role("x"), null, null));
    }

    [Fact]
    public void Evaluate_ServiceAndMethod_BothMustPass()
    {
        CapabilityRequirement service = CapabilityRequirement.Role("reader");
        CapabilityRequirement method = CapabilityRequirement.Role("writer");
        Assert.Equal(CapabilityDecision.MethodDenied, CapabilityEvaluator.Evaluate(service, method, Roles("reader")));
        Assert.Equal(CapabilityDecision.ServiceDenied, CapabilityEvaluator.Evaluate(service, method, Roles("writer")));
        Assert.Equal(CapabilityDecision.Allowed, CapabilityEvaluator.Evaluate(service, method, Roles("writer,reader")));
    }

    [Fact]
    public void IsSatisfied_UnknownKind_FailsClosed()
    {
        CapabilityRequirement weird = new((CapabilityKind)7, ["a"]);
        Assert.False(CapabilityEvaluator.IsSatisfied(weird, new HashSet<string> { "a" }));
    }

    [Fact]
    public void Constructor_EmptyRoleList_IsDefinitionError()
    {
        Assert.Throws<ArgumentException>(() => CapabilityRequirement.AnyOf());
        Assert.Throws<ArgumentException>(() => CapabilityRequirement.Role(string.Empty));
    }

    [Fact]
    public void DenialMessage_MatchesReferenceTexts()
    {
        Assert.Equal("capability check failed for service 'Svc'", CapabilityEvaluator.DenialMessage(CapabilityDecision.ServiceDenied, "Svc", "M"));
        Assert.Equal("capability check failed for method 'Svc.M'", CapabilityEvaluator.DenialMessage(CapabilityDecision.MethodDenied, "Svc", "M"));
    }
}
