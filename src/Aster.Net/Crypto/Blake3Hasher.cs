namespace Aster.Net.Crypto;

/// <summary>
/// Incremental BLAKE3: feed input with <see cref="Update"/> in pieces of any size, then read the output of any length
/// (from any offset) with <see cref="Finalize(Span{byte})"/>, which leaves the state unchanged so hashing can go on.
/// </summary>
/// <remarks>
/// Whole subtrees of the input given to one <see cref="Update"/> call are hashed with the same SIMD paths as
/// <see cref="Blake3"/>; feeding large buffers (16 KiB or more) is fastest. Not thread-safe. <see cref="Dispose"/>
/// zeroes the state, including the key of a keyed hasher.
/// </remarks>
public sealed class Blake3Hasher : IDisposable
{
    private Blake3State _state;
    private bool _disposed;

    /// <summary>Creates a hasher for the default (unkeyed) hash.</summary>
    public Blake3Hasher()
        : this(Blake3Core.IvKey(), 0, Blake3Core.BestBackend)
    {
    }

    private Blake3Hasher(in Blake3Cv key, uint flags, Blake3Backend backend)
    {
        _state = new Blake3State(key, flags, backend);
    }

    /// <summary>The back end in use; tests set it to force a path (clamped to what the machine supports).</summary>
    internal Blake3Backend Backend
    {
        get => _state.Backend;
        set => _state.Backend = Blake3Core.Effective(value);
    }

    /// <summary>Creates a hasher for the keyed hash under a 32-byte key.</summary>
    /// <param name="key">The 32-byte key; the hasher keeps a copy until it is disposed.</param>
    /// <returns>A new hasher.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 32 bytes long.</exception>
    public static Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key)
    {
        Blake3Cv words = Blake3.LoadKeyChecked(key);
        Blake3Hasher hasher = new(words, Blake3Core.KeyedHash, Blake3Core.BestBackend);
        ((Span<uint>)words).Clear();
        return hasher;
    }

    /// <summary>Creates a hasher for key derivation; the input given to <see cref="Update"/> is the key material.</summary>
    /// <param name="context">The context string (hashed as UTF-8).</param>
    /// <returns>A new hasher.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public static Blake3Hasher CreateDeriveKey(string context)
    {
        Blake3Cv words = Blake3.ContextKey(context);
        Blake3Hasher hasher = new(words, Blake3Core.DeriveKeyMaterial, Blake3Core.BestBackend);
        ((Span<uint>)words).Clear();
        return hasher;
    }

    /// <summary>Adds input.</summary>
    /// <param name="input">The next bytes of the message.</param>
    /// <exception cref="ObjectDisposedException">The hasher was disposed.</exception>
    public void Update(ReadOnlySpan<byte> input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _state.Update(input);
    }

    /// <summary>
    /// Writes the output for the input so far; any length (the first 32 bytes are the hash). The state is not changed,
    /// so more input may follow.
    /// </summary>
    /// <param name="output">Receives the output.</param>
    /// <exception cref="ObjectDisposedException">The hasher was disposed.</exception>
    public void Finalize(Span<byte> output) => Finalize(0, output);

    /// <summary>Writes the extended output starting at byte <paramref name="seekOffset"/> of the output stream.</summary>
    /// <param name="seekOffset">The position in the output stream of the first byte written.</param>
    /// <param name="output">Receives the output.</param>
    /// <exception cref="ObjectDisposedException">The hasher was disposed.</exception>
    public void Finalize(ulong seekOffset, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Blake3Output final = _state.FinalOutput();
        final.RootBytes(seekOffset, output);
        final = default;
    }

    /// <summary>Forgets all input, keeping the mode and key.</summary>
    /// <exception cref="ObjectDisposedException">The hasher was disposed.</exception>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _state.Reset();
    }

    /// <summary>Zeroes the state, key included. Further use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _state.Clear();
        _disposed = true;
    }
}
