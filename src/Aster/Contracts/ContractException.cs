namespace Aster.Contracts;

/// <summary>
/// Thrown at registration when a service or message definition breaks a contract rule. The message names the type
/// or method and the rule; <see cref="Rule"/> identifies the rule for programmatic checks.
/// </summary>
public sealed class ContractException : Exception
{
    /// <summary>Creates the exception with a message only.</summary>
    public ContractException()
        : this("The service contract is invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ContractException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ContractException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Rule = ContractRule.Unspecified;
        Subject = string.Empty;
    }

    internal ContractException(ContractRule rule, string subject, string message)
        : base(message)
    {
        Rule = rule;
        Subject = subject;
    }

    /// <summary>The rule that was broken.</summary>
    public ContractRule Rule { get; }

    /// <summary>The type, method or member the error is about (for example <c>IMissionControl.GetStatusAsync</c>).</summary>
    public string Subject { get; }
}

/// <summary>The contract rules checked at registration (one value per kind of <see cref="ContractException"/>).</summary>
public enum ContractRule
{
    /// <summary>No specific rule (an exception created by user code).</summary>
    Unspecified = 0,

    /// <summary>The service type has no <c>[AsterService]</c> attribute, or more than one service interface applies.</summary>
    NotAService,

    /// <summary>The service name is empty.</summary>
    InvalidServiceName,

    /// <summary>The service version is not a positive integer.</summary>
    InvalidVersion,

    /// <summary>A serialization mode is unknown or not supported by this producer (for example <c>native</c>).</summary>
    InvalidSerializationMode,

    /// <summary>Two methods have the same wire name (or names that match each other after normalisation).</summary>
    DuplicateMethodName,

    /// <summary>A method wire name is empty.</summary>
    InvalidMethodName,

    /// <summary>A method does not return <c>Task</c>, <c>ValueTask</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask&lt;T&gt;</c> or <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    UnsupportedReturnType,

    /// <summary>A method's parameters do not fit any pattern (misplaced stream or token, by-reference parameters, generic methods).</summary>
    UnsupportedParameters,

    /// <summary>A streaming method has the wrong signature (for example a stream parameter beside other parameters).</summary>
    InvalidStreamingSignature,

    /// <summary>A request or response type is a primitive with no cross-language type hash.</summary>
    UnsupportedPrimitiveMessage,

    /// <summary>A timeout is negative, infinite or not a number.</summary>
    InvalidTimeout,

    /// <summary>A capability requirement has no roles, or an empty role.</summary>
    InvalidCapability,

    /// <summary>A message type's wire tag is empty or has an empty name part.</summary>
    InvalidWireType,

    /// <summary>Two different types use the same wire tag.</summary>
    DuplicateWireType,

    /// <summary>A message type cannot be described (generic, abstract, an interface, no usable shape).</summary>
    UnsupportedMessageType,

    /// <summary>A field's type has no cross-language mapping (for example <c>decimal</c> or <c>TimeSpan</c>).</summary>
    UnsupportedFieldType,

    /// <summary>Two fields of a type have the same wire name (or names that match after normalisation).</summary>
    DuplicateFieldName,

    /// <summary>A field wire name is empty.</summary>
    InvalidFieldName,

    /// <summary><c>[FixedWidth]</c> is applied to a member that is not <c>int</c>, <c>long</c>, <c>uint</c> or <c>ulong</c>.</summary>
    InvalidFixedWidth,

    /// <summary>The <c>producer_language</c> does not agree with the serialization modes.</summary>
    InvalidProducerLanguage,
}

/// <summary>The one place where contract errors are created, so messages stay consistent.</summary>
internal static class ContractErrors
{
    public static ContractException Create(ContractRule rule, string subject, string detail) =>
        new(rule, subject, $"{subject}: {detail} (contract rule {rule}).");
}
