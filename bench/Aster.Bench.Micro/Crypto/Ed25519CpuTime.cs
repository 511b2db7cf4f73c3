using System.Runtime.InteropServices;
using Aster.Net.Crypto;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;
using BcX25519 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;

namespace Aster.Bench.Micro.Crypto;

/// <summary>
/// A second view of the M3 numbers for a busy machine: thread CPU time (CLOCK_THREAD_CPUTIME_ID, Linux) instead of
/// wall-clock time, minimum over interleaved rounds, with Portable.BouncyCastle in the same rounds. This is the
/// divisor <c>openssl speed</c> uses by default (user CPU time), so the two are comparable. Not a BenchmarkDotNet
/// class: call <see cref="Run"/> (for example from Program.cs on an <c>ed25519-cputime</c> argument).
/// </summary>
public static partial class Ed25519CpuTime
{
    private const int ThreadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID

    /// <summary>Runs every operation for <paramref name="rounds"/> interleaved rounds and prints a Markdown table.</summary>
    public static void Run(int rounds = 9)
    {
        byte[] seed = new byte[32];
        byte[] message = new byte[64];
        byte[] xPrivate = new byte[32];
        var random = new Random(42);
        random.NextBytes(seed);
        random.NextBytes(message);
        random.NextBytes(xPrivate);
        byte[] publicKey = new byte[32];
        byte[] signature = new byte[64];
        byte[] output = new byte[64];
        byte[] xPeer = new byte[32];
        X25519.GetPublicKey(seed, xPeer);
        Ed25519.GetPublicKey(seed, publicKey);
        Ed25519.Sign(seed, message, signature);
        using var key = new Ed25519SigningKey(seed);
        BcEd25519.Precompute();
        BcX25519.Precompute();

        (string Name, int Count, Action Op)[] ops =
        [
            ("Ed25519 sign 64 B, Ed25519SigningKey", 2000, () => key.Sign(message, output)),
            ("Ed25519 sign 64 B, Ed25519.Sign(seed)", 2000, () => Ed25519.Sign(seed, message, output)),
            ("Ed25519 sign 64 B, BouncyCastle", 2000, () => BcEd25519.Sign(seed, 0, publicKey, 0, message, 0, 64, output, 0)),
            ("Ed25519 verify 64 B", 1000, () => Ed25519.Verify(publicKey, message, signature)),
            ("Ed25519 verify 64 B, BouncyCastle", 1000, () => BcEd25519.Verify(signature, 0, publicKey, 0, message, 0, 64)),
            ("Ed25519 public key", 2000, () => Ed25519.GetPublicKey(seed, output.AsSpan(0, 32))),
            ("Ed25519 public key, BouncyCastle", 2000, () => BcEd25519.GeneratePublicKey(seed, 0, output, 0)),
            ("X25519 agreement", 1000, () => X25519.TryAgree(xPrivate, xPeer, output.AsSpan(0, 32))),
            ("X25519 agreement, BouncyCastle", 1000, () => BcX25519.ScalarMult(xPrivate, 0, xPeer, 0, output, 0)),
            ("X25519 public key", 2000, () => X25519.GetPublicKey(xPrivate, output.AsSpan(0, 32))),
            ("X25519 public key, BouncyCastle", 2000, () => BcX25519.ScalarMultBase(xPrivate, 0, output, 0)),
        ];

        double[] best = new double[ops.Length];
        Array.Fill(best, double.MaxValue);
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < ops.Length; i++)
            {
                double start = ThreadCpuNanoseconds();
                for (int n = 0; n < ops[i].Count; n++)
                {
                    ops[i].Op();
                }

                best[i] = Math.Min(best[i], (ThreadCpuNanoseconds() - start) / ops[i].Count);
            }
        }

        Console.WriteLine("| Operation | CPU time per op | ops/s (one core) |");
        Console.WriteLine("|---|---:|---:|");
        for (int i = 0; i < ops.Length; i++)
        {
            Console.WriteLine($"| {ops[i].Name} | {best[i] / 1000:F1} µs | {1e9 / best[i]:F0} |");
        }
    }

    /// <summary>CPU time consumed by the calling thread, in nanoseconds.</summary>
    internal static double ThreadCpuNanoseconds()
    {
        if (ClockGetTime(ThreadCpuTimeClock, out Timespec ts) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return (ts.Seconds * 1e9) + ts.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec ts);
}
