using System.Numerics;

namespace Aster.Net.Identity;

/// <summary>Why a text decoder stopped: a reason and the character index it applies to (or -1 for the whole text).</summary>
internal readonly record struct TextError(string Reason, int Index);

/// <summary>
/// The text encodings the identity layer reads and writes: hex, RFC 4648 base32 (two alphabets, no padding) and
/// Base58 (Bitcoin alphabet). All decoders report the first offending character instead of throwing.
/// </summary>
internal static class TextEncodings
{
    /// <summary>RFC 4648 section 6 alphabet, written lowercase (iroh tickets and key text).</summary>
    public const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>RFC 4648 section 7 "base32hex" alphabet, lowercase (data-encoding's <c>BASE32_DNSSEC</c>, iroh TLS names).</summary>
    public const string Base32HexAlphabet = "0123456789abcdefghijklmnopqrstuv";

    /// <summary>The Bitcoin Base58 alphabet.</summary>
    public const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private const int Base58ChunkDigits = 10;

    private static readonly sbyte[] _base58Values = BuildBase58Values();
    private static readonly BigInteger _base58Chunk = BigInteger.Pow(58, Base58ChunkDigits);

    // ------------------------------------------------------------------ hex

    /// <summary>Decodes exactly <c>2 × output.Length</c> hex digits of either case.</summary>
    public static bool TryDecodeHex(ReadOnlySpan<char> text, Span<byte> output, out TextError error)
    {
        if (text.Length != output.Length * 2)
        {
            error = new TextError($"expected {output.Length * 2} hex characters, got {text.Length}", -1);
            return false;
        }

        for (int i = 0; i < output.Length; i++)
        {
            int hi = HexValue(text[2 * i]);
            if (hi < 0)
            {
                error = new TextError("not a hex digit", 2 * i);
                return false;
            }

            int lo = HexValue(text[(2 * i) + 1]);
            if (lo < 0)
            {
                error = new TextError("not a hex digit", (2 * i) + 1);
                return false;
            }

            output[i] = (byte)((hi << 4) | lo);
        }

        error = default;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    // --------------------------------------------------------------- base32

    /// <summary>The number of base32 characters (no padding) that <paramref name="byteCount"/> bytes encode to.</summary>
    public static int Base32Length(int byteCount) => ((byteCount * 8) + 4) / 5;

    /// <summary>Encodes without padding, most significant bit first, with the given lowercase alphabet.</summary>
    public static string EncodeBase32(ReadOnlySpan<byte> data, string alphabet)
    {
        return string.Create(Base32Length(data.Length), (Data: data.ToArray(), Alphabet: alphabet), static (chars, state) =>
        {
            int buffer = 0;
            int bits = 0;
            int n = 0;
            foreach (byte b in state.Data)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    chars[n++] = state.Alphabet[(buffer >> bits) & 31];
                }
            }

            if (bits > 0)
            {
                chars[n] = state.Alphabet[(buffer << (5 - bits)) & 31];
            }
        });
    }

    /// <summary>
    /// Decodes unpadded base32, either case, with the RFC 4648 alphabet (<paramref name="hexAlphabet"/> false) or the
    /// base32hex alphabet. Like data-encoding's strict decoders it rejects lengths that no byte count produces
    /// (remainder 1, 3 or 6 modulo 8) and a last character whose unused low bits are not zero.
    /// </summary>
    public static bool TryDecodeBase32(ReadOnlySpan<char> text, bool hexAlphabet, out byte[] output, out TextError error)
    {
        output = [];
        int rem = text.Length % 8;
        if (rem is 1 or 3 or 6)
        {
            error = new TextError($"{text.Length} base32 characters do not encode a whole number of bytes", -1);
            return false;
        }

        byte[] result = new byte[text.Length * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int v = hexAlphabet ? Base32HexValue(text[i]) : Base32Value(text[i]);
            if (v < 0)
            {
                error = new TextError("not a base32 character", i);
                return false;
            }

            buffer = ((buffer << 5) | v) & 0xFFF;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                result[n++] = (byte)(buffer >> bits);
            }
        }

        if ((buffer & ((1 << bits) - 1)) != 0)
        {
            error = new TextError("the unused low bits of the last base32 character are not zero", text.Length - 1);
            return false;
        }

        output = result;
        error = default;
        return true;
    }

    private static int Base32Value(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        >= 'A' and <= 'Z' => c - 'A',
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };

    private static int Base32HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'v' => c - 'a' + 10,
        >= 'A' and <= 'V' => c - 'A' + 10,
        _ => -1,
    };

    // --------------------------------------------------------------- base58

    /// <summary>The most Base58 characters that <paramref name="byteCount"/> bytes can encode to.</summary>
    public static int MaxBase58Length(int byteCount) => ((byteCount * 138) / 100) + 1;

    /// <summary>Encodes with the Bitcoin alphabet; each leading zero byte becomes <c>1</c>; no checksum.</summary>
    public static string EncodeBase58(ReadOnlySpan<byte> data)
    {
        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // Divide the big-endian number by 58^10 repeatedly; each remainder gives ten digits.
        char[] chars = new char[zeros + MaxBase58Length(data.Length - zeros)];
        int end = chars.Length;
        int n = end;
        BigInteger value = new(data[zeros..], isUnsigned: true, isBigEndian: true);
        while (!value.IsZero)
        {
            value = BigInteger.DivRem(value, _base58Chunk, out BigInteger remainder);
            ulong chunk = (ulong)remainder;
            for (int k = 0; k < Base58ChunkDigits && (chunk != 0 || !value.IsZero); k++)
            {
                chars[--n] = Base58Alphabet[(int)(chunk % 58)];
                chunk /= 58;
            }
        }

        chars.AsSpan(n - zeros, zeros).Fill('1');
        return new string(chars, n - zeros, end - n + zeros);
    }

    /// <summary>
    /// Decodes Bitcoin-alphabet Base58 (each leading <c>1</c> is a zero byte). Fails, naming the character, on a
    /// character outside the alphabet or when the value needs more than <paramref name="maxBytes"/> bytes.
    /// </summary>
    public static bool TryDecodeBase58(ReadOnlySpan<char> text, int maxBytes, out byte[] output, out TextError error)
    {
        output = [];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= 128 || _base58Values[c] < 0)
            {
                error = new TextError("not a Base58 character", i);
                return false;
            }
        }

        // Any text longer than this decodes to more than maxBytes, so the arithmetic below stays bounded.
        int maxLength = MaxBase58Length(maxBytes);
        if (text.Length > maxLength)
        {
            error = new TextError($"decodes to more than {maxBytes} bytes", maxLength);
            return false;
        }

        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        BigInteger value = BigInteger.Zero;
        for (int i = zeros; i < text.Length; i += Base58ChunkDigits)
        {
            int count = Math.Min(Base58ChunkDigits, text.Length - i);
            ulong chunk = 0;
            ulong scale = 1;
            for (int k = 0; k < count; k++)
            {
                chunk = (chunk * 58) + (ulong)_base58Values[text[i + k]];
                scale *= 58;
            }

            value = (value * scale) + chunk;
        }

        int length = value.IsZero ? 0 : value.GetByteCount(isUnsigned: true);
        if (zeros + length > maxBytes)
        {
            error = new TextError($"decodes to more than {maxBytes} bytes", text.Length - 1);
            return false;
        }

        byte[] result = new byte[zeros + length];
        if (length > 0)
        {
            value.TryWriteBytes(result.AsSpan(zeros), out _, isUnsigned: true, isBigEndian: true);
        }

        output = result;
        error = default;
        return true;
    }

    private static sbyte[] BuildBase58Values()
    {
        sbyte[] values = new sbyte[128];
        values.AsSpan().Fill(-1);
        for (int i = 0; i < Base58Alphabet.Length; i++)
        {
            values[Base58Alphabet[i]] = (sbyte)i;
        }

        return values;
    }
}
