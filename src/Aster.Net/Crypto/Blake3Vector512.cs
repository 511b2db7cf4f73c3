namespace Aster.Net.Crypto;

/// <summary>Temporary stub.</summary>
internal static class Blake3Vector512
{
    public static void Hash16(ReadOnlySpan<byte> inputs, int stride, int blocks, in Blake3Cv key, ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
    {
        throw new NotSupportedException();
    }
}
