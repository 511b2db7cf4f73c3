using System.Text;
using System.Text.Json;
using Aster.Net.Crypto;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Crypto;

public sealed class Blake3Tests
{
    private static readonly int[] _boundaryLengths =
    [
        0, 1, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 4095, 4096, 4097, 5 * 1024, 8191, 8192, 8193,
        16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 17 * 1024, 31 * 1024 + 5, 32 * 1024, 33 * 1024 + 1, 64 * 1024 + 1024, 129 * 1024 + 7,
    ];

    public static TheoryData<int> VectorLengths()
    {
        // The lengths in blake3.json (read at discovery only when the folder is there; a missing folder skips the theory).
        TheoryData<int> data = [];
        if (Vectors.Root is null)
        {
            data.Add(0);
            return data;
        }

        using JsonDocument doc = Vectors.Load("blake3.json");
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("input_len").GetInt32());
        }

        return data;
    }

    private static byte[] VectorInput(int length)
    {
        byte[] input = new byte[length];
        for (int i = 0; i < length; i++)
        {
            input[i] = (byte)(i % 251);
        }

        return input;
    }

    private static (byte[] Key, string Context, byte[] Hash, byte[] Keyed, byte[] Derive) VectorCase(int length)
    {
        using JsonDocument doc = Vectors.Load("blake3.json");
        JsonElement root = doc.RootElement;
        byte[] key = Encoding.ASCII.GetBytes(root.GetProperty("key").GetString()!);
        string context = root.GetProperty("context_string").GetString()!;
        foreach (JsonElement c in root.GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("input_len").GetInt32() == length)
            {
                return (key, context, Hex.Decode(c.GetProperty("hash").GetString()!), Hex.Decode(c.GetProperty("keyed_hash").GetString()!),
                    Hex.Decode(c.GetProperty("derive_key").GetString()!));
            }
        }

        throw new InvalidOperationException($"No case of length {length}.");
    }

    private static IEnumerable<Blake3Backend> Backends()
    {
        for (Blake3Backend b = Blake3Backend.Scalar; b <= Blake3Core.BestBackend; b++)
        {
            yield return b;
        }
    }

    [VectorTheory]
    [MemberData(nameof(VectorLengths))]
    public void Hash_OfficialVector_MatchesDefaultAndExtendedOutput(int length)
    {
        // Arrange
        var (_, _, expected, _, _) = VectorCase(length);
        byte[] input = VectorInput(length);

        // Act
        byte[] hash = Blake3.Hash(input);
        byte[] extended = new byte[expected.Length];
        Blake3.Hash(input, extended);

        // Assert
        Assert.Equal(Hex.Encode(expected.AsSpan(0, 32)), Hex.Encode(hash));
        Assert.Equal(Hex.Encode(expected), Hex.Encode(extended));
    }

    [VectorTheory]
    [MemberData(nameof(VectorLengths))]
    public void KeyedHash_OfficialVector_MatchesExtendedOutput(int length)
    {
        var (key, _, _, expected, _) = VectorCase(length);
        byte[] input = VectorInput(length);

        byte[] output = new byte[expected.Length];
        Blake3.KeyedHash(key, input, output);

        Assert.Equal(Hex.Encode(expected), Hex.Encode(output));
    }

    [VectorTheory]
    [MemberData(nameof(VectorLengths))]
    public void DeriveKey_OfficialVector_MatchesExtendedOutput(int length)
    {
        var (_, context, _, _, expected) = VectorCase(length);
        byte[] input = VectorInput(length);

        byte[] output = new byte[expected.Length];
        Blake3.DeriveKey(context, input, output);

        Assert.Equal(Hex.Encode(expected), Hex.Encode(output));
    }

    [VectorTheory]
    [MemberData(nameof(VectorLengths))]
    public void Hasher_OfficialVectorAllModesEveryBackend_MatchesOneByteAndWholeUpdates(int length)
    {
        var (key, context, hash, keyed, derive) = VectorCase(length);
        byte[] input = VectorInput(length);
        foreach (Blake3Backend backend in Backends())
        {
            foreach (Func<Blake3Hasher> create in new Func<Blake3Hasher>[] { () => new Blake3Hasher(), () => Blake3Hasher.CreateKeyed(key), () => Blake3Hasher.CreateDeriveKey(context) })
            {
                using Blake3Hasher whole = create();
                whole.Backend = backend;
                whole.Update(input);
                using Blake3Hasher bytewise = create();
                bytewise.Backend = backend;
                if (length <= 8193)
                {
                    foreach (byte b in input)
                    {
                        bytewise.Update([b]);
                    }
                }
                else
                {
                    bytewise.Update(input);
                }

                byte[] a = new byte[hash.Length];
                byte[] b2 = new byte[hash.Length];
                whole.Finalize(a);
                bytewise.Finalize(b2);
                string actual = Hex.Encode(a);
                Assert.Equal(actual, Hex.Encode(b2));
                Assert.Contains(actual, new[] { Hex.Encode(hash), Hex.Encode(keyed), Hex.Encode(derive) });
            }
        }
    }

    [VectorTheory]
    [MemberData(nameof(VectorLengths))]
    public void Finalize_SeekOffsets_MatchSlicesOfExtendedOutput(int length)
    {
        var (key, _, _, expected, _) = VectorCase(length);
        using Blake3Hasher hasher = Blake3Hasher.CreateKeyed(key);
        hasher.Update(VectorInput(length));

        foreach (int offset in new[] { 0, 1, 31, 32, 63, 64, 65, 100, 130 })
        {
            byte[] part = new byte[expected.Length - offset];
            hasher.Finalize((ulong)offset, part);
            Assert.Equal(Hex.Encode(expected.AsSpan(offset)), Hex.Encode(part));
        }
    }

    [VectorFact]
    public void Hash_OneShotEveryBackend_MatchesVectors()
    {
        using JsonDocument doc = Vectors.Load("blake3.json");
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            int length = c.GetProperty("input_len").GetInt32();
            string expected = c.GetProperty("hash").GetString()!;
            foreach (Blake3Backend backend in Backends())
            {
                byte[] output = new byte[expected.Length / 2];
                Blake3.Hash(VectorInput(length), output, backend);
                Assert.Equal(expected, Hex.Encode(output));
            }
        }
    }

    [Fact]
    public void Hash_EmptyInput_MatchesKnownDigest()
    {
        Assert.Equal("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", Hex.Encode(Blake3.Hash([])));
    }

    [Fact]
    public void Hash_ShortOutput_IsPrefixOfLongOutput()
    {
        byte[] input = VectorInput(3000);
        byte[] longOut = new byte[200];
        Blake3.Hash(input, longOut);
        for (int n = 0; n <= 70; n++)
        {
            byte[] shortOut = new byte[n];
            Blake3.Hash(input, shortOut);
            Assert.Equal(longOut.AsSpan(0, n).ToArray(), shortOut);
        }
    }

    [Fact]
    public void Finalize_LargeSeekOffset_MatchesStreamPosition()
    {
        // The output block counter passes 2^32 at byte 2^38.
        using Blake3Hasher hasher = new();
        hasher.Update("abc"u8);
        ulong seek = (1UL << 38) - 10;
        byte[] first = new byte[40];
        hasher.Finalize(seek, first);
        byte[] second = new byte[20];
        hasher.Finalize(seek + 20, second);
        Assert.Equal(first.AsSpan(20).ToArray(), second);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void KeyedHash_KeyNot32Bytes_ThrowsArgumentException(int keyLength)
    {
        byte[] key = new byte[keyLength];
        ArgumentException e = Assert.Throws<ArgumentException>(() => Blake3.KeyedHash(key, [1, 2, 3], new byte[32]));
        Assert.Equal("key", e.ParamName);
        Assert.Throws<ArgumentException>(() => Blake3Hasher.CreateKeyed(key));
    }

    [Fact]
    public void DeriveKey_NullContext_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Blake3.DeriveKey(null!, [], new byte[32]));
        Assert.Throws<ArgumentNullException>(() => Blake3Hasher.CreateDeriveKey(null!));
    }

    [Fact]
    public void DeriveKey_LongNonAsciiContext_EqualsHasherWithSameContext()
    {
        string context = string.Concat(Enumerable.Repeat("contexte dérivé ✓ ", 40));
        byte[] material = VectorInput(777);
        byte[] oneShot = new byte[48];
        Blake3.DeriveKey(context, material, oneShot);

        using Blake3Hasher hasher = Blake3Hasher.CreateDeriveKey(context);
        hasher.Update(material);
        byte[] incremental = new byte[48];
        hasher.Finalize(incremental);

        Assert.Equal(oneShot, incremental);
    }

    [Fact]
    public void Reset_AfterUse_HashesLikeFreshHasher()
    {
        byte[] key = VectorInput(32);
        byte[] first = VectorInput(5000);
        byte[] second = VectorInput(70_000).AsSpan(3).ToArray();
        using Blake3Hasher hasher = Blake3Hasher.CreateKeyed(key);
        hasher.Update(first);
        hasher.Reset();
        hasher.Update(second);
        byte[] actual = new byte[32];
        hasher.Finalize(actual);

        byte[] expected = new byte[32];
        Blake3.KeyedHash(key, second, expected);
        Assert.Equal(expected, actual);

        hasher.Reset();
        hasher.Finalize(actual);
        Blake3.KeyedHash(key, [], expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Finalize_CalledTwiceAndContinued_DoesNotChangeState()
    {
        byte[] input = VectorInput(10_000);
        using Blake3Hasher hasher = new();
        hasher.Update(input.AsSpan(0, 4096));
        byte[] mid1 = new byte[32];
        byte[] mid2 = new byte[32];
        hasher.Finalize(mid1);
        hasher.Finalize(mid2);
        hasher.Update(input.AsSpan(4096));
        byte[] end = new byte[32];
        hasher.Finalize(end);

        Assert.Equal(mid1, mid2);
        Assert.Equal(Blake3.Hash(input.AsSpan(0, 4096)), mid1);
        Assert.Equal(Blake3.Hash(input), end);
    }

    [Fact]
    public void Dispose_ThenUpdate_ThrowsObjectDisposedException()
    {
        Blake3Hasher hasher = Blake3Hasher.CreateKeyed(new byte[32]);
        hasher.Dispose();
        hasher.Dispose();
        Assert.Throws<ObjectDisposedException>(() => hasher.Update([1]));
        Assert.Throws<ObjectDisposedException>(() => hasher.Finalize(new byte[32]));
    }

    [Fact]
    public void KeyedHash_IvAsKey_DiffersFromHash()
    {
        // The KEYED_HASH flag separates the modes even under the IV as key.
        byte[] ivKey = new byte[32];
        Blake3Cv iv = Blake3Core.IvKey();
        Blake3Core.StoreCv(iv, ivKey);
        byte[] keyed = new byte[32];
        Blake3.KeyedHash(ivKey, "abc"u8, keyed);
        Assert.NotEqual(Blake3.Hash("abc"u8), keyed);
    }

    [Fact]
    public void DeriveKey_Equivalence_IsKeyedHashUnderContextKeyWithMaterialFlag()
    {
        // derive_key(ctx, m) = hash_with(key = hash_with(IV, ctx, DERIVE_KEY_CONTEXT), m, DERIVE_KEY_MATERIAL).
        const string Context = "Aster 2026 test context";
        byte[] material = VectorInput(2500);
        byte[] contextKey = new byte[32];
        Blake3Core.HashAll(Blake3Core.IvKey(), Blake3Core.DeriveKeyContext, Encoding.UTF8.GetBytes(Context), 0, contextKey, Blake3Backend.Scalar);
        byte[] expected = new byte[64];
        Blake3Core.HashAll(Blake3Core.LoadKey(contextKey), Blake3Core.DeriveKeyMaterial, material, 0, expected, Blake3Backend.Scalar);

        byte[] actual = new byte[64];
        Blake3.DeriveKey(Context, material, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Hash_BoundaryLengthsEveryBackend_EqualsScalar()
    {
        byte[] data = new byte[_boundaryLengths.Max()];
        new Random(1234).NextBytes(data);
        foreach (int length in _boundaryLengths)
        {
            byte[] expected = new byte[40];
            Blake3.Hash(data.AsSpan(0, length), expected, Blake3Backend.Scalar);
            foreach (Blake3Backend backend in Backends())
            {
                byte[] actual = new byte[40];
                Blake3.Hash(data.AsSpan(0, length), actual, backend);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"length {length}, backend {backend}");

                using Blake3Hasher hasher = Blake3Hasher.CreateKeyed(data.AsSpan(0, 32));
                hasher.Backend = backend;
                hasher.Update(data.AsSpan(0, length / 3));
                hasher.Update(data.AsSpan(length / 3, length - (length / 3)));
                hasher.Finalize(actual);
                byte[] keyed = new byte[40];
                Blake3.KeyedHash(data.AsSpan(0, 32), data.AsSpan(0, length), keyed);
                Assert.True(keyed.AsSpan().SequenceEqual(actual), $"keyed, length {length}, backend {backend}");
            }
        }
    }

    [Fact]
    public void Hash_RandomLengthsEveryBackend_EqualsScalar()
    {
        byte[] data = new byte[20_000];
        new Random(99).NextBytes(data);
        Gen<int> lengths = Gen.Choose(0, 20_000);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(lengths.ToArbitrary(), length =>
        {
            byte[] expected = new byte[32];
            Blake3.Hash(data.AsSpan(0, length), expected, Blake3Backend.Scalar);
            foreach (Blake3Backend backend in Backends())
            {
                byte[] actual = new byte[32];
                Blake3.Hash(data.AsSpan(0, length), actual, backend);
                if (!expected.AsSpan().SequenceEqual(actual))
                {
                    return false;
                }
            }

            return true;
        }));
    }

    [Fact]
    public void Update_RandomSplitPoints_EqualsOneShot()
    {
        Gen<(byte[] Data, int[] Cuts)> gen =
            from length in Gen.Choose(0, 20_000)
            from seed in Gen.Choose(0, int.MaxValue)
            from cutCount in Gen.Choose(0, 6)
            select (MakeData(length, seed), MakeCuts(length, cutCount, seed));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(gen.ToArbitrary(), t =>
        {
            int[] cuts = [.. t.Cuts.Order()];
            foreach (Blake3Backend backend in Backends())
            {
                using Blake3Hasher hasher = new();
                hasher.Backend = backend;
                int at = 0;
                foreach (int cut in cuts)
                {
                    hasher.Update(t.Data.AsSpan(at, cut - at));
                    at = cut;
                }

                hasher.Update(t.Data.AsSpan(at));
                byte[] actual = new byte[32];
                hasher.Finalize(actual);
                if (!Blake3.Hash(t.Data).AsSpan().SequenceEqual(actual))
                {
                    return false;
                }
            }

            return true;
        }));
    }

    [Fact]
    public void Update_RandomBytesArbitrary_EqualsOneShot()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            using Blake3Hasher hasher = new();
            int half = bytes.Length / 2;
            hasher.Update(bytes.AsSpan(0, half));
            hasher.Update(bytes.AsSpan(half));
            byte[] actual = new byte[32];
            hasher.Finalize(actual);
            return Blake3.Hash(bytes).AsSpan().SequenceEqual(actual);
        }));
    }

    [Fact]
    public void Compress_RowsPath_EqualsPortable()
    {
        if (!Blake3Rows.IsSupported)
        {
            return; // Needs AVX2; the portable path is then the only one and the vector tests cover it.
        }

        Gen<(byte[] Block, byte[] Cv, ulong Counter, uint BlockLen, uint Flags)> gen =
            from block in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 64)
            from cv in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 32)
            from counter in ArbMap.Default.GeneratorFor<ulong>()
            from blockLen in Gen.Choose(0, 64)
            from flags in Gen.Choose(0, 127)
            select (block, cv, counter, (uint)blockLen, (uint)flags);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(gen.ToArbitrary(), t =>
        {
            Blake3Cv a = Blake3Core.LoadKey(t.Cv);
            Blake3Cv b = a;
            Blake3Scalar.CompressPortable(ref a, t.Block, t.Counter, t.BlockLen, t.Flags);
            Blake3Rows.Compress(ref b, t.Block, t.Counter, t.BlockLen, t.Flags);
            byte[] xa = new byte[64];
            byte[] xb = new byte[64];
            Blake3Cv cv = Blake3Core.LoadKey(t.Cv);
            Blake3Scalar.CompressXofPortable(cv, t.Block, t.Counter, t.BlockLen, t.Flags, xa);
            Blake3Rows.CompressXof(cv, t.Block, t.Counter, t.BlockLen, t.Flags, xb);
            return ((ReadOnlySpan<uint>)a).SequenceEqual(b) && xa.AsSpan().SequenceEqual(xb);
        }));
    }

    private static int[] MakeCuts(int length, int count, int seed)
    {
        Random random = new(seed ^ 0x5bd1e995);
        int[] cuts = new int[count];
        for (int i = 0; i < count; i++)
        {
            // Favour chunk-boundary neighbourhoods half the time.
            cuts[i] = random.Next(2) == 0 ? random.Next(length + 1) : Math.Clamp((random.Next(20) * 1024) + random.Next(-2, 3), 0, length);
        }

        return cuts;
    }

    private static byte[] MakeData(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
