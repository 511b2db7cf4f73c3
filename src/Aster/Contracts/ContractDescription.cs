using System.Reflection;
using Aster.Fory;

namespace Aster.Contracts;

/// <summary>
/// A service contract built from C# declarations: names, methods and patterns, and the <see cref="ContractId"/> every
/// Aster binding computes for the same interface. Create one with <see cref="ServiceContracts.Describe(Type)"/>.
/// </summary>
public sealed class ContractDescription
{
    private readonly byte[] _canonicalBytes;
    private readonly Dictionary<string, ContractMethod> _methodsByName;
    private readonly Dictionary<string, ContractMethod> _methodsByLooseName;

    internal ContractDescription(
        Type serviceType,
        ServiceContractDef contract,
        byte[] canonicalBytes,
        IReadOnlyList<ContractMethod> methods,
        CapabilityRequirement? requires,
        IReadOnlyList<ResolvedType> types)
    {
        ServiceType = serviceType;
        Definition = contract;
        _canonicalBytes = canonicalBytes;
        ContractId = ContractHash.ToHex(ContractHash.Hash(canonicalBytes));
        Methods = methods;
        Requires = requires;
        Types = types;
        _methodsByName = methods.ToDictionary(m => m.Name, StringComparer.Ordinal);
        _methodsByLooseName = methods.ToDictionary(m => WireNaming.Normalize(m.Name), StringComparer.Ordinal);
    }

    /// <summary>The interface or class that declares the service.</summary>
    public Type ServiceType { get; }

    /// <summary>The service name on the wire.</summary>
    public string Name => Definition.Name;

    /// <summary>The service version.</summary>
    public int Version => Definition.Version;

    /// <summary>Whether the service is shared or session-scoped.</summary>
    public ServiceScope Scope => Definition.Scoped;

    /// <summary>The declared serialization modes, in declaration order.</summary>
    public IReadOnlyList<string> SerializationModes => Definition.SerializationModes;

    /// <summary>The service-level capability requirement, if any (not part of the contract id).</summary>
    public CapabilityRequirement? Requires { get; }

    /// <summary>The methods, sorted by wire name as the contract orders them.</summary>
    public IReadOnlyList<ContractMethod> Methods { get; }

    /// <summary>The contract id: BLAKE3 of <see cref="CanonicalBytes"/>, as 64 lower-case hex characters.</summary>
    public string ContractId { get; }

    /// <summary>The canonical ServiceContract bytes (current layout), stored as <c>contract.bin</c> in the registry.</summary>
    public ReadOnlyMemory<byte> CanonicalBytes => _canonicalBytes;

    /// <summary>The lower-case hex type hashes of the contract's record types, in processing order (leaves first).</summary>
    public IReadOnlyList<string> TypeHashes => [.. Types.Select(t => t.HashHex)];

    internal ServiceContractDef Definition { get; }

    internal IReadOnlyList<ResolvedType> Types { get; }

    /// <summary>
    /// Finds a method by its wire name: the exact name first, then the name with underscores removed and ASCII letters
    /// lower-cased (so <c>sayHello</c> finds <c>say_hello</c>).
    /// </summary>
    /// <param name="wireName">The method name from the call header.</param>
    /// <returns>The method, or null when none matches.</returns>
    public ContractMethod? FindMethod(string wireName)
    {
        ArgumentNullException.ThrowIfNull(wireName);
        return _methodsByName.TryGetValue(wireName, out ContractMethod? exact)
            ? exact
            : _methodsByLooseName.GetValueOrDefault(WireNaming.Normalize(wireName));
    }

    /// <summary>The contract manifest JSON (the reference Python v1 form, 2-space indentation), as the registry stores it.</summary>
    /// <param name="metadata">Publication details; null writes empty values.</param>
    public string ToManifestJson(ContractManifestMetadata? metadata = null) => ContractManifest.Write(this, metadata);
}

/// <summary>One method of a <see cref="ContractDescription"/>.</summary>
public sealed class ContractMethod
{
    internal ContractMethod(
        MethodInfo method,
        string name,
        MethodPattern pattern,
        double? timeoutSeconds,
        bool idempotent,
        CapabilityRequirement? requires,
        bool hasCancellationToken,
        MessageType request,
        MessageType response)
    {
        Method = method;
        Name = name;
        Pattern = pattern;
        TimeoutSeconds = timeoutSeconds;
        Idempotent = idempotent;
        Requires = requires;
        HasCancellationToken = hasCancellationToken;
        Request = request;
        Response = response;
    }

    /// <summary>The C# method (on the service interface or class).</summary>
    public MethodInfo Method { get; }

    /// <summary>The method's wire name.</summary>
    public string Name { get; }

    /// <summary>The call pattern inferred from the signature.</summary>
    public MethodPattern Pattern { get; }

    /// <summary>The default timeout in seconds, or null when none is set.</summary>
    public double? TimeoutSeconds { get; }

    /// <summary>Whether the method may be retried.</summary>
    public bool Idempotent { get; }

    /// <summary>The method-level capability requirement, if any (not part of the contract id).</summary>
    public CapabilityRequirement? Requires { get; }

    /// <summary>Whether the C# method takes a trailing <see cref="CancellationToken"/>.</summary>
    public bool HasCancellationToken { get; }

    /// <summary>Whether the C# method takes a <see cref="CallContext"/> (last, or before the token).</summary>
    public bool HasCallContext { get; internal init; }

    /// <summary>
    /// The request type (the stream element type for client and bidirectional streams): a record or a bare primitive;
    /// null when the request is synthesised from inline parameters.
    /// </summary>
    public Type? RequestType => Request.ClrType;

    /// <summary>The response type (the element type for server and bidirectional streams), or null when there is none.</summary>
    public Type? ResponseType => Response.ClrType;

    /// <summary>Whether the request is synthesised from the method's plain parameters (<c>{Method}Request</c>).</summary>
    public bool IsInlineRequest => Request.InlineParameters is not null;

    /// <summary>The inline parameters in declaration order (empty for an explicit request).</summary>
    public IReadOnlyList<ParameterInfo> InlineParameters => Request.InlineParameters ?? [];

    internal MessageType Request { get; }

    internal MessageType Response { get; }
}

/// <summary>
/// The request or response of a method: a record (<see cref="Shape"/>), a bare primitive (<see cref="PrimitiveName"/>)
/// or nothing at all (both null).
/// </summary>
internal sealed record MessageType(Type? ClrType, MessageShape? Shape, string? PrimitiveName, IReadOnlyList<ParameterInfo>? InlineParameters)
{
    public static readonly MessageType None = new(null, null, null, null);
}
