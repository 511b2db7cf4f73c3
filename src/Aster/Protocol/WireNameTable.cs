using System.Collections.Frozen;
using System.Text;
using System.Text.Unicode;

namespace Aster.Protocol;

/// <summary>
/// The service and method names a server dispatches to, found by their UTF-8 bytes: a header decoder takes the
/// registry's own string for a known name instead of allocating a new one per call. Unknown names are decoded as usual.
/// </summary>
internal sealed class WireNameTable
{
    /// <summary>Longer names are never looked up (decoded as usual).</summary>
    private const int MaxNameBytes = 256;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public WireNameTable(IEnumerable<string> names)
    {
        _lookup = names.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The known name spelled by <paramref name="utf8"/>, or null.</summary>
    public string? Find(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxNameBytes || !Utf8.IsValid(utf8))
        {
            return null; // invalid UTF-8 is left to the decoder, which rejects it
        }

        Span<char> chars = stackalloc char[MaxNameBytes]; // UTF-8 never has fewer bytes than UTF-16 code units
        int count = Encoding.UTF8.GetChars(utf8, chars);
        return _lookup.TryGetValue(chars[..count], out string? known) ? known : null;
    }

    /// <summary>The known name spelled by <paramref name="latin1"/> (ISO-8859-1, one byte per character), or null.</summary>
    public string? FindLatin1(ReadOnlySpan<byte> latin1)
    {
        if (latin1.Length > MaxNameBytes)
        {
            return null;
        }

        Span<char> chars = stackalloc char[MaxNameBytes];
        int count = Encoding.Latin1.GetChars(latin1, chars);
        return _lookup.TryGetValue(chars[..count], out string? known) ? known : null;
    }
}
