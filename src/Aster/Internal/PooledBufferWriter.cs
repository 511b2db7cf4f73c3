using System.Buffers;

namespace Aster.Internal;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>, reusable after <see cref="Reset"/>.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>The largest buffer a thread keeps between uses of its scratch writer.</summary>
    private const int MaxScratchCapacity = 4096;

    [ThreadStatic]
    private static PooledBufferWriter? _scratch;

    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public int WrittenCount => _written;

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Reset() => _written = 0;

    /// <summary>
    /// This thread's scratch writer, empty, for a section that does not await before <see cref="ReturnScratch"/> (for
    /// example: encode a header, copy it into a frame). Reused, so a frame's small framework message allocates nothing.
    /// </summary>
    public static PooledBufferWriter RentScratch()
    {
        PooledBufferWriter writer = _scratch ?? new PooledBufferWriter();
        _scratch = null;
        return writer;
    }

    /// <summary>Gives <paramref name="writer"/> back as this thread's scratch writer (or frees it when it grew large).</summary>
    public static void ReturnScratch(PooledBufferWriter writer)
    {
        if (writer._buffer.Length is > 0 and <= MaxScratchCapacity)
        {
            writer.Reset();
            _scratch = writer;
        }
        else
        {
            writer.Dispose();
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        long target = Math.Max((long)_buffer.Length * 2, (long)_written + needed);
        if (target > Array.MaxLength)
        {
            throw new InvalidOperationException("Message buffer would exceed the largest array.");
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent((int)target);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }
}
