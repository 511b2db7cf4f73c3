using Aster.Net.Crypto;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;
using BcX25519 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;

namespace Aster.Bench.Micro.Crypto;

/// <summary>
/// M3 (performance.md §6.10): Ed25519 sign/verify of a 64-byte and a 1 KiB message, key derivation, X25519 agreement.
/// Portable.BouncyCastle 1.8.10 is the same-run baseline of every category.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class Ed25519Benchmarks : IDisposable
{
    private readonly byte[] _seed = new byte[32];
    private readonly byte[] _publicKey = new byte[32];
    private readonly byte[] _message64 = new byte[64];
    private readonly byte[] _message1K = new byte[1024];
    private readonly byte[] _signature64 = new byte[64];
    private readonly byte[] _signature1K = new byte[64];
    private readonly byte[] _output = new byte[64];
    private readonly byte[] _xPrivate = new byte[32];
    private readonly byte[] _xPeer = new byte[32];
    private Ed25519SigningKey _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        random.NextBytes(_seed);
        random.NextBytes(_message64);
        random.NextBytes(_message1K);
        random.NextBytes(_xPrivate);
        byte[] other = new byte[32];
        random.NextBytes(other);
        X25519.GetPublicKey(other, _xPeer);
        Ed25519.GetPublicKey(_seed, _publicKey);
        Ed25519.Sign(_seed, _message64, _signature64);
        Ed25519.Sign(_seed, _message1K, _signature1K);
        _key = new Ed25519SigningKey(_seed);
        BcEd25519.Precompute();
        BcX25519.Precompute();
        if (!Ed25519.Verify(_publicKey, _message64, _signature64) || !BcEd25519.Verify(_signature64, 0, _publicKey, 0, _message64, 0, 64))
        {
            throw new InvalidOperationException("setup signature does not verify");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _key?.Dispose();
        GC.SuppressFinalize(this);
    }

    [BenchmarkCategory("Sign64"), Benchmark(Baseline = true)]
    public void Sign64BouncyCastle() => BcEd25519.Sign(_seed, 0, _publicKey, 0, _message64, 0, _message64.Length, _output, 0);

    [BenchmarkCategory("Sign64"), Benchmark]
    public void Sign64AsterSeed() => Ed25519.Sign(_seed, _message64, _output);

    [BenchmarkCategory("Sign64"), Benchmark]
    public void Sign64AsterSigningKey() => _key.Sign(_message64, _output);

    [BenchmarkCategory("Sign1K"), Benchmark(Baseline = true)]
    public void Sign1KBouncyCastle() => BcEd25519.Sign(_seed, 0, _publicKey, 0, _message1K, 0, _message1K.Length, _output, 0);

    [BenchmarkCategory("Sign1K"), Benchmark]
    public void Sign1KAsterSigningKey() => _key.Sign(_message1K, _output);

    [BenchmarkCategory("Verify64"), Benchmark(Baseline = true)]
    public bool Verify64BouncyCastle() => BcEd25519.Verify(_signature64, 0, _publicKey, 0, _message64, 0, _message64.Length);

    [BenchmarkCategory("Verify64"), Benchmark]
    public bool Verify64Aster() => Ed25519.Verify(_publicKey, _message64, _signature64);

    [BenchmarkCategory("Verify1K"), Benchmark(Baseline = true)]
    public bool Verify1KBouncyCastle() => BcEd25519.Verify(_signature1K, 0, _publicKey, 0, _message1K, 0, _message1K.Length);

    [BenchmarkCategory("Verify1K"), Benchmark]
    public bool Verify1KAster() => Ed25519.Verify(_publicKey, _message1K, _signature1K);

    [BenchmarkCategory("PublicKey"), Benchmark(Baseline = true)]
    public void PublicKeyBouncyCastle() => BcEd25519.GeneratePublicKey(_seed, 0, _output, 0);

    [BenchmarkCategory("PublicKey"), Benchmark]
    public void PublicKeyAster() => Ed25519.GetPublicKey(_seed, _output.AsSpan(0, 32));

    [BenchmarkCategory("X25519Agree"), Benchmark(Baseline = true)]
    public void X25519AgreeBouncyCastle() => BcX25519.ScalarMult(_xPrivate, 0, _xPeer, 0, _output, 0);

    [BenchmarkCategory("X25519Agree"), Benchmark]
    public bool X25519AgreeAster() => X25519.TryAgree(_xPrivate, _xPeer, _output.AsSpan(0, 32));

    [BenchmarkCategory("X25519PublicKey"), Benchmark(Baseline = true)]
    public void X25519PublicKeyBouncyCastle() => BcX25519.ScalarMultBase(_xPrivate, 0, _output, 0);

    [BenchmarkCategory("X25519PublicKey"), Benchmark]
    public void X25519PublicKeyAster() => X25519.GetPublicKey(_xPrivate, _output.AsSpan(0, 32));
}
