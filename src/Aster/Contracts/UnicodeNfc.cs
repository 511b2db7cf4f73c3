using System.Text;

namespace Aster.Contracts;

/// <summary>
/// Unicode Normalization Form C, implemented here so that contract ids never depend on the host's globalization
/// mode: with <c>InvariantGlobalization</c> (as this repository builds) <see cref="string.Normalize()"/> returns its
/// input unchanged, and with ICU the result would depend on the machine's ICU version.
/// </summary>
internal static partial class UnicodeNfc
{
    private const int SBase = 0xAC00;
    private const int LBase = 0x1100;
    private const int VBase = 0x1161;
    private const int TBase = 0x11A7;
    private const int LCount = 19;
    private const int VCount = 21;
    private const int TCount = 28;
    private const int NCount = VCount * TCount;
    private const int SCount = LCount * NCount;

    private static readonly Lazy<Tables> _tables = new(BuildTables);

    /// <summary>Returns the NFC form of <paramref name="value"/>.</summary>
    public static string Normalize(string value)
    {
        // Fast path: nothing below U+0300 decomposes into, or composes with, anything else in NFC.
        bool simple = true;
        foreach (char c in value)
        {
            if (c >= 0x300)
            {
                simple = false;
                break;
            }
        }

        if (simple)
        {
            return value;
        }

        Tables tables = _tables.Value;
        if (IsStable(value, tables))
        {
            return value;
        }

        List<int> buffer = new(value.Length + 4);
        foreach (Rune rune in value.EnumerateRunes())
        {
            Decompose(rune.Value, buffer, tables);
        }

        CanonicalOrder(buffer, tables);
        Compose(buffer, tables);

        StringBuilder builder = new(buffer.Count);
        foreach (int cp in buffer)
        {
            builder.Append(new Rune(cp).ToString());
        }

        return builder.ToString();
    }

    /// <summary>
    /// True when no code point decomposes, has a non-zero combining class or can combine with a preceding one; such a
    /// string is its own NFC form.
    /// </summary>
    private static bool IsStable(string value, Tables tables)
    {
        foreach (Rune rune in value.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp < 0x300)
            {
                continue;
            }

            if (tables.Decompositions.ContainsKey(cp) || tables.Classes.ContainsKey(cp) || tables.Secondaries.Contains(cp)
                || (cp >= VBase && cp < VBase + VCount) || (cp > TBase && cp < TBase + TCount))
            {
                return false;
            }
        }

        return true;
    }

    private static void Decompose(int cp, List<int> buffer, Tables tables)
    {
        if (cp >= SBase && cp < SBase + SCount)
        {
            int index = cp - SBase;
            buffer.Add(LBase + (index / NCount));
            buffer.Add(VBase + (index % NCount / TCount));
            if (index % TCount != 0)
            {
                buffer.Add(TBase + (index % TCount));
            }

            return;
        }

        if (tables.Decompositions.TryGetValue(cp, out (int First, int Second) parts))
        {
            Decompose(parts.First, buffer, tables);
            if (parts.Second != 0)
            {
                Decompose(parts.Second, buffer, tables);
            }

            return;
        }

        buffer.Add(cp);
    }

    private static void CanonicalOrder(List<int> buffer, Tables tables)
    {
        // Stable insertion sort of every run of non-starters by combining class.
        for (int i = 1; i < buffer.Count; i++)
        {
            int cp = buffer[i];
            int cc = tables.Class(cp);
            if (cc == 0)
            {
                continue;
            }

            int j = i;
            while (j > 0 && tables.Class(buffer[j - 1]) > cc)
            {
                buffer[j] = buffer[j - 1];
                j--;
            }

            buffer[j] = cp;
        }
    }

    private static void Compose(List<int> buffer, Tables tables)
    {
        if (buffer.Count == 0)
        {
            return;
        }

        int starterPos = 0;
        int starter = buffer[0];
        int lastClass = tables.Class(starter) == 0 ? 0 : 256;
        int writePos = 1;
        for (int readPos = 1; readPos < buffer.Count; readPos++)
        {
            int cp = buffer[readPos];
            int cc = tables.Class(cp);
            int composite = Composite(starter, cp, tables);
            if (composite >= 0 && (lastClass < cc || lastClass == 0))
            {
                buffer[starterPos] = composite;
                starter = composite;
                continue;
            }

            if (cc == 0)
            {
                starterPos = writePos;
                starter = cp;
            }

            lastClass = cc;
            buffer[writePos++] = cp;
        }

        buffer.RemoveRange(writePos, buffer.Count - writePos);
    }

    private static int Composite(int first, int second, Tables tables)
    {
        if (first >= LBase && first < LBase + LCount && second >= VBase && second < VBase + VCount)
        {
            return SBase + ((((first - LBase) * VCount) + (second - VBase)) * TCount);
        }

        if (first >= SBase && first < SBase + SCount && (first - SBase) % TCount == 0 && second > TBase && second < TBase + TCount)
        {
            return first + (second - TBase);
        }

        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out int composite) ? composite : -1;
    }

    private static Tables BuildTables()
    {
        Dictionary<int, (int, int)> decompositions = new(_decompositions.Length / 3);
        Dictionary<long, int> compositions = [];
        HashSet<int> secondaries = [];
        HashSet<int> excluded = [.. _compositionExclusions];
        for (int i = 0; i < _decompositions.Length; i += 3)
        {
            int cp = _decompositions[i];
            int first = _decompositions[i + 1];
            int second = _decompositions[i + 2];
            decompositions[cp] = (first, second);
            if (second != 0 && !excluded.Contains(cp))
            {
                compositions[((long)first << 21) | (uint)second] = cp;
                secondaries.Add(second);
            }
        }

        Dictionary<int, int> classes = new(_combiningClasses.Length / 2);
        for (int i = 0; i < _combiningClasses.Length; i += 2)
        {
            classes[_combiningClasses[i]] = _combiningClasses[i + 1];
        }

        return new Tables(decompositions, compositions, classes, secondaries);
    }

    private sealed record Tables(
        Dictionary<int, (int First, int Second)> Decompositions,
        Dictionary<long, int> Compositions,
        Dictionary<int, int> Classes,
        HashSet<int> Secondaries)
    {
        public int Class(int cp) => Classes.GetValueOrDefault(cp);
    }
}
