using System.Buffers;

namespace Aster.Framing;

/// <summary>One decoded frame: its flags and its payload, which references the reader's buffer.</summary>
/// <param name="Flags">The flag byte.</param>
/// <param name="Payload">The payload bytes (valid until the reader's buffer is advanced past them).</param>
public readonly record struct Frame(FrameFlags Flags, ReadOnlySequence<byte> Payload)
{
    /// <summary>The frame layout's fixed prefix: 4 bytes of length and 1 flag byte.</summary>
    public const int PrefixSize = 5;

    /// <summary>The largest Length value (flag byte plus payload): 16 MiB.</summary>
    public const int MaxLength = 16 * 1024 * 1024;

    /// <summary>Data frames with a longer payload are sent compressed when that shrinks them (wire-protocol.md 4.5).</summary>
    public const int CompressionThreshold = 4096;

    /// <summary>True when <paramref name="flag"/> is set.</summary>
    public bool Has(FrameFlags flag) => (Flags & flag) == flag;
}
