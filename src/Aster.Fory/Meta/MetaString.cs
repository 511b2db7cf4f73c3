using System.Text;

namespace Aster.Fory.Meta;

/// <summary>The five Fory meta-string encodings (contracts-and-fory.md B10.8), numbered as in the specification.</summary>
internal enum MetaEncoding
{
    Utf8 = 0,
    LowerSpecial = 1,
    LowerUpperDigitSpecial = 2,
    FirstToLowerSpecial = 3,
    AllToLowerSpecial = 4,
}

/// <summary>Where a meta string appears; decides the allowed encodings, their indexes and the special characters.</summary>
internal sealed class MetaStringContext
{
    public static readonly MetaStringContext Namespace = new('.', '_', [MetaEncoding.Utf8, MetaEncoding.AllToLowerSpecial, MetaEncoding.LowerUpperDigitSpecial]);

    public static readonly MetaStringContext TypeName = new('$', '_', [MetaEncoding.Utf8, MetaEncoding.AllToLowerSpecial, MetaEncoding.LowerUpperDigitSpecial, MetaEncoding.FirstToLowerSpecial]);

    public static readonly MetaStringContext FieldName = new('$', '_', [MetaEncoding.Utf8, MetaEncoding.AllToLowerSpecial, MetaEncoding.LowerUpperDigitSpecial]);

    /// <summary>A namespace written inline in schema-consistent mode (B12): all five encodings, identified by number.</summary>
    public static readonly MetaStringContext InlineNamespace = new('.', '_', [MetaEncoding.Utf8, MetaEncoding.LowerSpecial, MetaEncoding.LowerUpperDigitSpecial, MetaEncoding.FirstToLowerSpecial, MetaEncoding.AllToLowerSpecial]);

    /// <summary>A type name written inline in schema-consistent mode (B12).</summary>
    public static readonly MetaStringContext InlineTypeName = new('$', '_', [MetaEncoding.Utf8, MetaEncoding.LowerSpecial, MetaEncoding.LowerUpperDigitSpecial, MetaEncoding.FirstToLowerSpecial, MetaEncoding.AllToLowerSpecial]);

    private MetaStringContext(char special1, char special2, MetaEncoding[] byIndex)
    {
        Special1 = special1;
        Special2 = special2;
        ByIndex = byIndex;
    }

    public char Special1 { get; }

    public char Special2 { get; }

    public MetaEncoding[] ByIndex { get; }

    public bool Allows(MetaEncoding encoding) => Array.IndexOf(ByIndex, encoding) >= 0;

    public int IndexOf(MetaEncoding encoding) => Array.IndexOf(ByIndex, encoding);
}

/// <summary>Encodes and decodes Fory meta strings.</summary>
internal static class MetaString
{
    /// <summary>Chooses the encoding for <paramref name="s"/> among those the context allows (B10.8).</summary>
    public static MetaEncoding Choose(string s, MetaStringContext context)
    {
        if (s.Length == 0)
        {
            return MetaEncoding.Utf8;
        }

        bool allLowerSpecial = true;
        bool allLetterDigitSpecial = true;
        bool hasDigit = false;
        int upper = 0;
        foreach (char c in s)
        {
            if (c >= 0x80)
            {
                return MetaEncoding.Utf8;
            }

            if (!(char.IsAsciiLetterLower(c) || c == '.' || c == '_' || c == '$' || c == '|'))
            {
                allLowerSpecial = false;
            }

            if (char.IsAsciiDigit(c))
            {
                hasDigit = true;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                upper++;
            }
            else if (!char.IsAsciiLetterLower(c) && c != context.Special1 && c != context.Special2)
            {
                allLetterDigitSpecial = false;
            }
        }

        if (allLowerSpecial && context.Allows(MetaEncoding.LowerSpecial))
        {
            return MetaEncoding.LowerSpecial;
        }

        if (allLetterDigitSpecial)
        {
            if (hasDigit && context.Allows(MetaEncoding.LowerUpperDigitSpecial))
            {
                return MetaEncoding.LowerUpperDigitSpecial;
            }

            if (!hasDigit)
            {
                if (upper == 1 && char.IsAsciiLetterUpper(s[0]) && context.Allows(MetaEncoding.FirstToLowerSpecial))
                {
                    return MetaEncoding.FirstToLowerSpecial;
                }

                if ((s.Length + upper) * 5 < s.Length * 6 && context.Allows(MetaEncoding.AllToLowerSpecial) && LowerSpecialCompatible(s))
                {
                    return MetaEncoding.AllToLowerSpecial;
                }
            }

            if (context.Allows(MetaEncoding.LowerUpperDigitSpecial))
            {
                return MetaEncoding.LowerUpperDigitSpecial;
            }
        }

        return MetaEncoding.Utf8;
    }

    private static bool LowerSpecialCompatible(string s)
    {
        foreach (char c in s)
        {
            if (!(char.IsAsciiLetter(c) || c == '.' || c == '_' || c == '$' || c == '|'))
            {
                return false;
            }
        }

        return true;
    }

    public static byte[] Encode(string s, MetaEncoding encoding, MetaStringContext context)
    {
        switch (encoding)
        {
            case MetaEncoding.Utf8:
                return Encoding.UTF8.GetBytes(s);
            case MetaEncoding.LowerSpecial:
                return Pack(s, 5, c => LowerSpecialValue(c));
            case MetaEncoding.FirstToLowerSpecial:
                return Pack(char.ToLowerInvariant(s[0]) + s.Substring(1), 5, c => LowerSpecialValue(c));
            case MetaEncoding.AllToLowerSpecial:
            {
                StringBuilder b = new(s.Length * 2);
                foreach (char c in s)
                {
                    if (char.IsAsciiLetterUpper(c))
                    {
                        b.Append('|').Append((char)(c | 0x20));
                    }
                    else
                    {
                        b.Append(c);
                    }
                }

                return Pack(b.ToString(), 5, c => LowerSpecialValue(c));
            }

            case MetaEncoding.LowerUpperDigitSpecial:
                return Pack(s, 6, c => c switch
                {
                    >= 'a' and <= 'z' => c - 'a',
                    >= 'A' and <= 'Z' => c - 'A' + 26,
                    >= '0' and <= '9' => c - '0' + 52,
                    _ when c == context.Special1 => 62,
                    _ when c == context.Special2 => 63,
                    _ => throw new ArgumentException($"character '{c}' cannot be encoded"),
                });
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding));
        }
    }

    private static int LowerSpecialValue(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        '.' => 26,
        '_' => 27,
        '$' => 28,
        '|' => 29,
        _ => throw new ArgumentException($"character '{c}' cannot be encoded"),
    };

    private static byte[] Pack(string s, int bits, Func<char, int> value)
    {
        int n = s.Length;
        int totalBits = 1 + (n * bits);
        int byteCount = (totalBits + 7) / 8;
        byte[] result = new byte[byteCount];
        int bitPos = 1;
        foreach (char c in s)
        {
            int v = value(c);
            for (int i = bits - 1; i >= 0; i--)
            {
                if (((v >> i) & 1) != 0)
                {
                    result[bitPos >> 3] |= (byte)(0x80 >> (bitPos & 7));
                }

                bitPos++;
            }
        }

        if (byteCount * 8 >= totalBits + bits)
        {
            result[0] |= 0x80;
        }

        return result;
    }

    /// <summary>Decodes; returns null when the bytes are invalid for the encoding.</summary>
    public static string? Decode(ReadOnlySpan<byte> data, MetaEncoding encoding, MetaStringContext context)
    {
        if (data.Length == 0)
        {
            return string.Empty;
        }

        switch (encoding)
        {
            case MetaEncoding.Utf8:
                try
                {
                    return new UTF8Encoding(false, true).GetString(data);
                }
                catch (DecoderFallbackException)
                {
                    return null;
                }

            case MetaEncoding.LowerSpecial:
                return Unpack(data, 5, LowerSpecialChar);
            case MetaEncoding.FirstToLowerSpecial:
            {
                string? s = Unpack(data, 5, LowerSpecialChar);
                return string.IsNullOrEmpty(s) ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
            }

            case MetaEncoding.AllToLowerSpecial:
            {
                string? s = Unpack(data, 5, LowerSpecialChar);
                if (s is null)
                {
                    return null;
                }

                StringBuilder b = new(s.Length);
                for (int i = 0; i < s.Length; i++)
                {
                    if (s[i] == '|' && i + 1 < s.Length)
                    {
                        b.Append(char.ToUpperInvariant(s[++i]));
                    }
                    else
                    {
                        b.Append(s[i]);
                    }
                }

                return b.ToString();
            }

            case MetaEncoding.LowerUpperDigitSpecial:
                return Unpack(data, 6, v => v switch
                {
                    < 26 => (char)('a' + v),
                    < 52 => (char)('A' + v - 26),
                    < 62 => (char)('0' + v - 52),
                    62 => context.Special1,
                    _ => context.Special2,
                });
            default:
                return null;
        }
    }

    private static char LowerSpecialChar(int v) => v switch
    {
        < 26 => (char)('a' + v),
        26 => '.',
        27 => '_',
        28 => '$',
        29 => '|',
        _ => '\0',
    };

    private static string? Unpack(ReadOnlySpan<byte> data, int bits, Func<int, char> map)
    {
        int count = ((data.Length * 8) - 1) / bits;
        bool strip = (data[0] & 0x80) != 0;
        if (strip)
        {
            count--;
        }

        if (count < 0)
        {
            return null;
        }

        char[] chars = new char[count];
        int bitPos = 1;
        for (int k = 0; k < count; k++)
        {
            int v = 0;
            for (int i = 0; i < bits; i++)
            {
                v = (v << 1) | ((data[bitPos >> 3] >> (7 - (bitPos & 7))) & 1);
                bitPos++;
            }

            char c = map(v);
            if (c == '\0')
            {
                return null;
            }

            chars[k] = c;
        }

        return new string(chars);
    }
}
