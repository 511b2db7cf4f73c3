using Aster.Contracts;
using Aster.Trust;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Trust;

/// <summary>The per-call evaluation (scanning the <c>aster.role</c> text) agrees with the role-set definition of 7.5.</summary>
public sealed class CapabilityProperties
{
    private static readonly string[] _pool = ["a", "b", "ops.status", "ops.logs", "A", " a", ""];

    [Fact]
    public void Evaluate_AgreesWithRoleSetDefinition()
    {
        Gen<string> part = Gen.Elements(_pool);
        Gen<string> separator = Gen.Elements(",", " , ", ",,", ", \t");
        Gen<string> roleText = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Gen.Zip(part, separator), n)
            .Select(pairs => string.Concat(pairs.Select(p => p.Item1 + p.Item2))));
        Gen<string[]> roles = Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Gen.Elements("a", "b", "ops.status", "ops.logs"), n));
        Gen<CapabilityKind> kind = Gen.Elements(CapabilityKind.Role, CapabilityKind.AnyOf, CapabilityKind.AllOf, (CapabilityKind)9);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), Prop.ForAll(Arb.From(Gen.Zip(Gen.Zip(roleText, roles), kind)), input =>
        {
            ((string text, string[] required), CapabilityKind k) = input;
            var requirement = new CapabilityRequirement(k, required);
            var attributes = new Dictionary<string, string> { [CapabilityEvaluator.RoleAttribute] = text };
            bool bySet = CapabilityEvaluator.IsSatisfied(requirement, CapabilityEvaluator.CallerRoles(attributes));
            bool byScan = CapabilityEvaluator.Evaluate(null, requirement, attributes) == CapabilityDecision.Allowed;
            return bySet == byScan;
        }));
    }
}
