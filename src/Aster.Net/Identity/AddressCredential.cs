namespace Aster.Net.Identity;

/// <summary>The kind of credential an <c>aster1…</c> address carries (wire-protocol.md §18, field 7).</summary>
public enum AddressCredentialKind : byte
{
    /// <summary>Type 0x00: the server is open; no payload. Distinct from carrying no credential at all.</summary>
    Open = 0x00,

    /// <summary>Type 0x01: a consumer credential as JSON (the reference calls it <c>consumer_rcan</c>).</summary>
    ConsumerCredential = 0x01,

    /// <summary>Type 0x02: an enrollment credential as JSON.</summary>
    Enrollment = 0x02,

    /// <summary>Type 0x03: registry read access; the payload is the 32-byte namespace id.</summary>
    RegistryRead = 0x03,
}

/// <summary>
/// The optional credential field of an <c>aster1…</c> address: a kind and its payload, stored exactly as carried.
/// It is parsed and exposed; the first release does not use it for admission (config-and-cli.md §9).
/// </summary>
public sealed class AddressCredential : IEquatable<AddressCredential>
{
    /// <summary>The largest payload an address may carry, in bytes.</summary>
    public const int MaxPayloadLength = 220;

    /// <summary>The length of a <see cref="AddressCredentialKind.RegistryRead"/> payload (a namespace id).</summary>
    public const int NamespaceIdLength = 32;

    private readonly byte[] _payload;

    private AddressCredential(AddressCredentialKind kind, byte[] payload)
    {
        Kind = kind;
        _payload = payload;
    }

    /// <summary>The open credential (type 0x00, empty payload).</summary>
    public static AddressCredential Open { get; } = new(AddressCredentialKind.Open, []);

    /// <summary>The credential's kind.</summary>
    public AddressCredentialKind Kind { get; }

    /// <summary>The payload bytes (JSON for consumer and enrollment credentials, the namespace id for registry read).</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>A consumer credential carrying JSON bytes.</summary>
    /// <param name="json">The payload, at most 220 bytes; copied.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">The payload is longer than 220 bytes.</exception>
    public static AddressCredential ConsumerCredential(ReadOnlySpan<byte> json) => Create(AddressCredentialKind.ConsumerCredential, json);

    /// <summary>An enrollment credential carrying JSON bytes.</summary>
    /// <param name="json">The payload, at most 220 bytes; copied.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">The payload is longer than 220 bytes.</exception>
    public static AddressCredential Enrollment(ReadOnlySpan<byte> json) => Create(AddressCredentialKind.Enrollment, json);

    /// <summary>A registry read credential.</summary>
    /// <param name="namespaceId">Exactly 32 bytes; copied.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">The namespace id is not 32 bytes.</exception>
    public static AddressCredential RegistryRead(ReadOnlySpan<byte> namespaceId) => Create(AddressCredentialKind.RegistryRead, namespaceId);

    /// <summary>Creates a credential of any known kind, checking the payload rules of that kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="payload">The payload; copied.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">The kind is unknown or the payload breaks its kind's rule.</exception>
    public static AddressCredential Create(AddressCredentialKind kind, ReadOnlySpan<byte> payload)
    {
        if (CheckPayload(kind, payload.Length) is { } problem)
        {
            throw new ArgumentException($"Invalid address credential: {problem}.", nameof(payload));
        }

        return kind == AddressCredentialKind.Open ? Open : new AddressCredential(kind, payload.ToArray());
    }

    /// <inheritdoc/>
    public bool Equals(AddressCredential? other)
        => other is not null && Kind == other.Kind && _payload.AsSpan().SequenceEqual(other._payload);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AddressCredential);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, _payload.Length);

    /// <summary>The kind and payload length (payloads may be bearer credentials and are not printed).</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Kind} ({_payload.Length} bytes)";

    /// <summary>Null when <paramref name="length"/> is allowed for <paramref name="kind"/>, otherwise why not.</summary>
    internal static string? CheckPayload(AddressCredentialKind kind, int length) => kind switch
    {
        AddressCredentialKind.Open when length != 0 => "an open credential has no payload",
        AddressCredentialKind.RegistryRead when length != NamespaceIdLength => $"a registry read credential carries exactly {NamespaceIdLength} bytes, got {length}",
        AddressCredentialKind.Open or AddressCredentialKind.RegistryRead => null,
        AddressCredentialKind.ConsumerCredential or AddressCredentialKind.Enrollment when length > MaxPayloadLength
            => $"the payload may hold at most {MaxPayloadLength} bytes, got {length}",
        AddressCredentialKind.ConsumerCredential or AddressCredentialKind.Enrollment => null,
        _ => $"unknown credential type 0x{(byte)kind:x2}",
    };

    internal byte[] PayloadArray => _payload;
}
