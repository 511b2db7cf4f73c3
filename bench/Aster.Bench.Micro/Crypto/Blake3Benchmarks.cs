using System.Security.Cryptography;
using Aster.Net.Crypto;
using BenchmarkDotNet.Attributes;

namespace Aster.Bench.Micro.Crypto;

/// <summary>BLAKE3 one-shot and incremental hashing on each back end, against SHA-256 from the BCL (OpenSSL) as the in-run baseline.</summary>
[MemoryDiagnoser]
public class Blake3Benchmarks : IDisposable
{
    private readonly byte[] _output = new byte[32];
    private byte[] _data = [];
    private Blake3Hasher _hasher = new();

    /// <summary>Input size in bytes.</summary>
    [Params(64, 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(42).NextBytes(_data);
        _hasher = new Blake3Hasher();
    }

    public void Dispose()
    {
        _hasher.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public int Sha256() => SHA256.HashData(_data, _output);

    [Benchmark]
    public void Blake3Hash() => Blake3.Hash(_data, _output);

    [Benchmark]
    public void Blake3Scalar() => Blake3.Hash(_data, _output, Blake3Backend.Scalar);

    [Benchmark]
    public void Blake3Vector128() => Blake3.Hash(_data, _output, Blake3Backend.Vector128);

    [Benchmark]
    public void Blake3Vector256() => Blake3.Hash(_data, _output, Blake3Backend.Vector256);

    [Benchmark]
    public void Blake3Vector512() => Blake3.Hash(_data, _output, Blake3Backend.Vector512);

    [Benchmark]
    public void Blake3HasherUpdate()
    {
        _hasher.Reset();
        _hasher.Update(_data);
        _hasher.Finalize(_output);
    }
}
