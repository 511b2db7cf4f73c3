using System.Buffers;
using System.Text;

namespace Aster.Net.Crypto;

/// <summary>
/// BLAKE3 one-shot hashing: the default hash, the keyed hash and key derivation, each with extended output of any
/// length.
/// </summary>
/// <remarks>
/// <para>
/// The implementation is fully managed and has these paths, chosen once from the hardware:
/// </para>
/// <list type="bullet">
/// <item><description>Single-block compression (inputs of at most one chunk, 1024 bytes; the last block of every
/// chunk; root output blocks; merges of the incremental hasher's CV stack): on x86 with AVX2 the state is held in four
/// <c>Vector128&lt;uint&gt;</c> rows and each round's message words are gathered with <c>vpermd</c>; elsewhere a portable
/// scalar function with all seven rounds unrolled and <c>BitOperations.RotateRight</c>.</description></item>
/// <item><description>Many chunks and parent nodes at once ("hash many", for inputs over 1024 bytes): 16 lanes in
/// <c>Vector512&lt;uint&gt;</c> on x86 with AVX-512F, 8 lanes in <c>Vector256&lt;uint&gt;</c> with AVX2, 4 lanes in
/// <c>Vector128&lt;uint&gt;</c> wherever 128-bit vectors are hardware accelerated (SSE2, Arm AdvSIMD), else the scalar
/// function. Message words are transposed so that each lane hashes one chunk; whole subtrees are hashed chunk-parallel,
/// then their parent nodes are compressed in parallel too, level by level.</description></item>
/// <item><description>Rotations use the AVX-512VL <c>vprord</c> instruction where available, byte shuffles
/// (<c>pshufb</c>) for 16 and 8 bits on SSSE3/AVX2, and shifts otherwise.</description></item>
/// </list>
/// <para>
/// The one-shot functions hash the tree without a CV stack (the reference implementation's "hash all at once");
/// <see cref="Blake3Hasher"/> keeps the lazily merged CV stack of the reference Rust hasher and hashes the largest
/// aligned whole subtrees of each <see cref="Blake3Hasher.Update"/> call with the same parallel paths. Everything runs on
/// the calling thread.
/// </para>
/// <para>One-shot hashing does not allocate except for the 32-byte array returned by <see cref="Hash(ReadOnlySpan{byte})"/>.</para>
/// </remarks>
public static class Blake3
{
    /// <summary>The default output length in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>The key length of the keyed hash in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Hashes <paramref name="input"/> and returns the 32-byte BLAKE3 hash.</summary>
    /// <param name="input">The bytes to hash.</param>
    /// <returns>A new 32-byte array.</returns>
    public static byte[] Hash(ReadOnlySpan<byte> input)
    {
        byte[] output = new byte[HashSize];
        Hash(input, output);
        return output;
    }

    /// <summary>
    /// Hashes <paramref name="input"/> and fills <paramref name="output"/> with the extended output; its first 32 bytes
    /// are the default hash, and a shorter output is a prefix of a longer one.
    /// </summary>
    /// <param name="input">The bytes to hash.</param>
    /// <param name="output">Receives the output; any length.</param>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        Blake3Cv key = Blake3Core.IvKey();
        Blake3Core.HashAll(key, 0, input, 0, output, Blake3Core.BestBackend);
    }

    /// <summary>
    /// Computes the keyed hash (a MAC or PRF) of <paramref name="input"/> under a 32-byte <paramref name="key"/> and fills
    /// <paramref name="output"/> with the extended output.
    /// </summary>
    /// <param name="key">The 32-byte key.</param>
    /// <param name="input">The bytes to hash.</param>
    /// <param name="output">Receives the output; any length.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 32 bytes long.</exception>
    public static void KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Blake3Cv words = LoadKeyChecked(key);
        try
        {
            Blake3Core.HashAll(words, Blake3Core.KeyedHash, input, 0, output, Blake3Core.BestBackend);
        }
        finally
        {
            ((Span<uint>)words).Clear();
        }
    }

    /// <summary>
    /// Derives key material from <paramref name="keyMaterial"/> for the purpose named by <paramref name="context"/>
    /// (a hard-coded, globally unique, application-specific string, hashed as UTF-8) and fills <paramref name="output"/>.
    /// </summary>
    /// <param name="context">The context string.</param>
    /// <param name="keyMaterial">The input key material.</param>
    /// <param name="output">Receives the derived key; any length.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output)
    {
        Blake3Cv contextKey = ContextKey(context);
        try
        {
            Blake3Core.HashAll(contextKey, Blake3Core.DeriveKeyMaterial, keyMaterial, 0, output, Blake3Core.BestBackend);
        }
        finally
        {
            ((Span<uint>)contextKey).Clear();
        }
    }

    /// <summary>Hashes with a chosen back end (clamped to what the machine supports); for tests and benchmarks.</summary>
    internal static void Hash(ReadOnlySpan<byte> input, Span<byte> output, Blake3Backend backend)
    {
        Blake3Cv key = Blake3Core.IvKey();
        Blake3Core.HashAll(key, 0, input, 0, output, backend);
    }

    /// <summary>Reads a key, rejecting any length but 32 bytes.</summary>
    internal static Blake3Cv LoadKeyChecked(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A BLAKE3 key must be {KeySize} bytes long, but {key.Length} bytes were given.", nameof(key));
        }

        return Blake3Core.LoadKey(key);
    }

    /// <summary>The derive-key mode's context key: the hash of the UTF-8 context string in the DERIVE_KEY_CONTEXT mode.</summary>
    internal static Blake3Cv ContextKey(string context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int max = Encoding.UTF8.GetMaxByteCount(context.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(context, utf8);
            Span<byte> contextKey = stackalloc byte[Blake3Core.OutLen];
            Blake3Cv iv = Blake3Core.IvKey();
            Blake3Core.HashAll(iv, Blake3Core.DeriveKeyContext, utf8[..length], 0, contextKey, Blake3Core.BestBackend);
            Blake3Cv words = Blake3Core.LoadKey(contextKey);
            contextKey.Clear();
            return words;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
