namespace Aster.Fory.Json;

/// <summary>
/// A JSON-mode payload does not match the contract: unknown or duplicate keys (contracts-and-fory.md C4). The RPC layer
/// maps it to CONTRACT_VIOLATION (101) with the details <c>unexpected_fields</c>, <c>location</c> and <c>expected_class</c>.
/// </summary>
public sealed class ForyJsonContractException : ForyException
{
    /// <summary>Creates the exception.</summary>
    public ForyJsonContractException(string location, IReadOnlyList<string> unexpectedFields, IReadOnlyList<string> expected, string expectedClass)
        : base($"contract violation at {location}: unexpected JSON field(s) [{string.Join(", ", unexpectedFields.Select(f => "'" + f + "'"))}] (expected: [{string.Join(", ", expected.Select(f => "'" + f + "'"))}])")
    {
        Location = location;
        UnexpectedFields = unexpectedFields;
        ExpectedFields = expected;
        ExpectedClass = expectedClass;
    }

    /// <summary>Where in the payload (for example <c>$</c> or <c>$.items[2]</c>).</summary>
    public string Location { get; }

    /// <summary>The keys that matched no member, or matched one already set.</summary>
    public IReadOnlyList<string> UnexpectedFields { get; }

    /// <summary>The keys the type accepts.</summary>
    public IReadOnlyList<string> ExpectedFields { get; }

    /// <summary>The wire tag of the type being read.</summary>
    public string ExpectedClass { get; }
}
