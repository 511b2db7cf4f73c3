using System.Buffers.Binary;
using System.Collections.Concurrent;
using Aster.Fory.IO;

namespace Aster.Fory.Meta;

/// <summary>
/// A namespace or type name as schema-consistent mode writes it inline (contracts-and-fory.md B12, pyfory's
/// <c>MetaStringWriter</c>): the first occurrence in a message is <c>varuint32(length &lt;&lt; 1)</c>, then the encoding
/// number (1 to 16 bytes) or 8 bytes holding h1 of MurmurHash3 with its low byte replaced by the encoding number (more
/// than 16 bytes), then the encoded bytes; a repeat is <c>varuint32(((index + 1) &lt;&lt; 1) | 1)</c>. Instances are
/// interned by their encoded form, so two names with equal bytes are one table entry, as in pyfory.
/// </summary>
internal sealed class InlineMetaString
{
    private const int HashThreshold = 16;
    private static readonly ConcurrentDictionary<string, InlineMetaString> _interned = new();

    private InlineMetaString(string text, MetaEncoding encoding, byte[] bytes)
    {
        Text = text;
        Encoding = encoding;
        Bytes = bytes;
        int header = ForyWriter.VarUInt32Length((uint)bytes.Length << 1);
        int prefix = bytes.Length > HashThreshold ? 8 : 1;
        byte[] first = new byte[header + prefix + bytes.Length];
        int at = 0;
        for (uint v = (uint)bytes.Length << 1; ; v >>= 7)
        {
            if (v < 0x80)
            {
                first[at++] = (byte)v;
                break;
            }

            first[at++] = (byte)(v | 0x80);
        }

        if (bytes.Length > HashThreshold)
        {
            ulong hash = (MurmurHash3.Hash64(bytes, 47) & ~0xFFUL) | (byte)encoding;
            BinaryPrimitives.WriteUInt64LittleEndian(first.AsSpan(at), hash);
        }
        else
        {
            first[at] = (byte)encoding;
        }

        bytes.CopyTo(first.AsSpan(at + prefix));
        FirstOccurrence = first;
    }

    /// <summary>The name.</summary>
    public string Text { get; }

    /// <summary>The encoding chosen by B10.8 with every encoding allowed.</summary>
    public MetaEncoding Encoding { get; }

    /// <summary>The encoded characters.</summary>
    public byte[] Bytes { get; }

    /// <summary>The complete first-occurrence form (header, encoding or hash, bytes).</summary>
    public byte[] FirstOccurrence { get; }

    /// <summary>The interned inline form of <paramref name="text"/> in <paramref name="context"/>.</summary>
    public static InlineMetaString Of(string text, MetaStringContext context)
    {
        MetaEncoding encoding = MetaString.Choose(text, context);
        byte[] bytes = MetaString.Encode(text, encoding, context);
        string key = $"{(int)encoding}:{Convert.ToHexString(bytes)}";
        return _interned.GetOrAdd(key, static (_, state) => new InlineMetaString(state.text, state.encoding, state.bytes), (text, encoding, bytes));
    }

    /// <summary>
    /// Reads one inline meta string (new or repeated) and returns its text; a name whose encoded form equals
    /// <paramref name="expected"/> returns <paramref name="expected"/>'s text without decoding.
    /// </summary>
    public static string Read(ref ForyReader r, List<string> table, InlineMetaString? expected, MetaStringContext context, int maxEntries)
    {
        int at = r.Position;
        uint header = r.ReadVarUInt32();
        if ((header & 1) != 0)
        {
            uint index = (header >> 1) - 1;
            if (header >> 1 == 0 || index >= (uint)table.Count)
            {
                throw new ForyDecodeException($"meta-string reference {header >> 1} names no earlier meta string ({table.Count} read)", at);
            }

            return table[(int)index];
        }

        if (table.Count >= maxEntries)
        {
            throw new ForyDecodeException($"more than {maxEntries} meta strings in one message", at, limit: "MaxTypeDefs");
        }

        int length = (int)(header >> 1);
        if (length > r.Remaining)
        {
            r.Fail($"meta string of {length} bytes exceeds the {r.Remaining} remaining");
        }

        byte encodingByte = length > HashThreshold ? (byte)(r.ReadInt64() & 0xFF) : r.ReadByte();
        if (encodingByte > (byte)MetaEncoding.AllToLowerSpecial)
        {
            throw new ForyDecodeException($"unknown meta-string encoding {encodingByte}", at);
        }

        ReadOnlySpan<byte> bytes = r.ReadSpan(length);
        MetaEncoding encoding = (MetaEncoding)encodingByte;
        string text = expected is not null && encoding == expected.Encoding && bytes.SequenceEqual(expected.Bytes)
            ? expected.Text
            : MetaString.Decode(bytes, encoding, context) ?? throw new ForyDecodeException($"invalid {encoding} meta string", at);
        table.Add(text);
        return text;
    }
}
