using System.Buffers;
using Aster.Protocol;

namespace Aster.Codec;

/// <summary>Encodes and decodes one message type in one serialization mode.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IMessageCodec<T>
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="output"/>.</summary>
    void Encode(T value, IBufferWriter<byte> output);

    /// <summary>Reads a value from one frame's payload.</summary>
    /// <exception cref="Exception">Any exception means the payload is malformed; the runtime answers INVALID_ARGUMENT or CONTRACT_VIOLATION (for <see cref="ContractViolationException"/>).</exception>
    T Decode(in ReadOnlySequence<byte> payload);
}

/// <summary>Supplies message codecs per serialization mode, and the mode's framework-message forms.</summary>
public interface ICodecProvider
{
    /// <summary>True when payloads of <paramref name="mode"/> can be encoded and decoded.</summary>
    bool Supports(SerializationMode mode);

    /// <summary>The codec of <typeparamref name="T"/> in <paramref name="mode"/>.</summary>
    /// <exception cref="NotSupportedException">The mode or type is not supported.</exception>
    IMessageCodec<T> GetCodec<T>(SerializationMode mode);
}

/// <summary>A JSON payload does not match the contract (status CONTRACT_VIOLATION, wire-protocol.md 7.2).</summary>
public sealed class ContractViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The status message.</param>
    /// <param name="details">Status details: <c>unexpected_fields</c>, <c>location</c>, <c>expected_class</c>.</param>
    public ContractViolationException(string message, IReadOnlyList<KeyValuePair<string, string>> details)
        : base(message)
    {
        Details = details;
    }

    /// <summary>The status details to send.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; }
}
