using System.Text.Json;
using Aster.Net.Crypto;
using Aster.Net.Crypto.Curve25519;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Crypto;

public sealed class Ed25519Tests
{
    public static TheoryData<string> Rfc8032Names() => Names("rfc8032", "name");

    public static TheoryData<string> WycheproofIds() => Names("wycheproof", "tcId");

    private static TheoryData<string> Names(string array, string key)
    {
        var data = new TheoryData<string>();
        if (Vectors.Root is null)
        {
            data.Add("(vectors absent)");
            return data;
        }

        using JsonDocument doc = Vectors.Load("ed25519.json");
        foreach (JsonElement e in doc.RootElement.GetProperty(array).EnumerateArray())
        {
            data.Add(e.GetProperty(key).ToString());
        }

        return data;
    }

    private static JsonElement Find(JsonDocument doc, string array, string key, string value)
    {
        foreach (JsonElement e in doc.RootElement.GetProperty(array).EnumerateArray())
        {
            if (e.GetProperty(key).ToString() == value)
            {
                return e;
            }
        }

        throw new InvalidOperationException($"vector {value} not found");
    }

    [VectorTheory]
    [MemberData(nameof(Rfc8032Names))]
    public void Rfc8032_Vector_PublicKeySignatureAndVerifyMatch(string name)
    {
        using JsonDocument doc = Vectors.Load("ed25519.json");
        JsonElement v = Find(doc, "rfc8032", "name", name);
        byte[] seed = Hex.Decode(v.GetProperty("secret_key").GetString()!);
        byte[] pub = Hex.Decode(v.GetProperty("public_key").GetString()!);
        byte[] msg = Hex.Decode(v.GetProperty("message").GetString()!);
        byte[] sig = Hex.Decode(v.GetProperty("signature").GetString()!);

        byte[] actualPub = new byte[32];
        Ed25519.GetPublicKey(seed, actualPub);
        Assert.Equal(Hex.Encode(pub), Hex.Encode(actualPub));

        byte[] actualSig = new byte[64];
        Ed25519.Sign(seed, msg, actualSig);
        Assert.Equal(Hex.Encode(sig), Hex.Encode(actualSig));

        using var key = new Ed25519SigningKey(seed);
        Assert.Equal(Hex.Encode(pub), Hex.Encode(key.PublicKey));
        Assert.Equal(Hex.Encode(sig), Hex.Encode(key.Sign(msg)));

        Assert.True(Ed25519.Verify(pub, msg, sig));
    }

    [VectorTheory]
    [MemberData(nameof(WycheproofIds))]
    public void Wycheproof_Vector_VerifyMatchesExpectedResult(string tcId)
    {
        using JsonDocument doc = Vectors.Load("ed25519.json");
        JsonElement v = Find(doc, "wycheproof", "tcId", tcId);
        byte[] pub = Hex.Decode(v.GetProperty("public_key").GetString()!);
        byte[] msg = Hex.Decode(v.GetProperty("message").GetString()!);
        byte[] sig = Hex.Decode(v.GetProperty("signature").GetString()!);
        bool expected = v.GetProperty("result").GetString() == "valid";
        Assert.Equal(expected, Ed25519.Verify(pub, msg, sig));
    }

    [Fact]
    public void Sign_RoundTrip_VerifiesForRandomSeedsAndMessages()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), msg =>
        {
            byte[] seed = SeedFrom(msg);
            byte[] pub = new byte[32];
            byte[] sig = new byte[64];
            Ed25519.GetPublicKey(seed, pub);
            Ed25519.Sign(seed, msg, sig);
            return Ed25519.Verify(pub, msg, sig);
        }));
    }

    [Fact]
    public void Verify_AnySingleBitFlip_Fails()
    {
        byte[] seed = SeedFrom([1, 2, 3]);
        byte[] msg = "single bit flips"u8.ToArray();
        byte[] pub = new byte[32];
        byte[] sig = new byte[64];
        Ed25519.GetPublicKey(seed, pub);
        Ed25519.Sign(seed, msg, sig);
        Assert.True(Ed25519.Verify(pub, msg, sig));

        // One bit in every byte (the bit position rotates), so every byte of each input is exercised.
        for (int i = 0; i < 64; i++)
        {
            byte[] s = (byte[])sig.Clone();
            s[i] ^= (byte)(1 << (i % 8));
            Assert.False(Ed25519.Verify(pub, msg, s), $"signature byte {i}");
        }

        for (int i = 0; i < msg.Length; i++)
        {
            byte[] m = (byte[])msg.Clone();
            m[i] ^= (byte)(1 << ((i + 3) % 8));
            Assert.False(Ed25519.Verify(pub, m, sig), $"message byte {i}");
        }

        for (int i = 0; i < 32; i++)
        {
            byte[] p = (byte[])pub.Clone();
            p[i] ^= (byte)(1 << ((i + 5) % 8));
            Assert.False(Ed25519.Verify(p, msg, sig), $"public key byte {i}");
        }

        // The top bits of R and S, where lax decoders and range checks hide.
        foreach (int bit in new[] { 253, 254, 255, 509, 510, 511 })
        {
            byte[] s = (byte[])sig.Clone();
            s[bit >> 3] ^= (byte)(1 << (bit & 7));
            Assert.False(Ed25519.Verify(pub, msg, s), $"signature bit {bit}");
        }
    }

    [Fact]
    public void Verify_RandomBitFlipsOfRandomSignatures_Fail()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<int>(), (msg, where) =>
        {
            byte[] seed = SeedFrom(msg);
            using var key = new Ed25519SigningKey(seed);
            byte[] sig = key.Sign(msg);
            byte[] pub = key.PublicKey.ToArray();
            int total = (64 + 32 + msg.Length) * 8;
            int bit = (int)((uint)where % (uint)total);
            if (bit < 512)
            {
                sig[bit >> 3] ^= (byte)(1 << (bit & 7));
            }
            else if (bit < 768)
            {
                bit -= 512;
                pub[bit >> 3] ^= (byte)(1 << (bit & 7));
            }
            else
            {
                bit -= 768;
                msg[bit >> 3] ^= (byte)(1 << (bit & 7));
            }

            return !Ed25519.Verify(pub, msg, sig);
        }));
    }

    [Fact]
    public void Verify_RandomGarbage_NeverThrows()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] buf = new byte[96];
            for (int i = 0; i < buf.Length; i++)
            {
                buf[i] = (byte)((bytes.Length == 0 ? 0 : bytes[i % bytes.Length]) ^ (i * 167));
            }

            // Random garbage is overwhelmingly invalid; the property is that nothing throws.
            _ = Ed25519.Verify(buf.AsSpan(0, 32), bytes, buf.AsSpan(32, 64));
            _ = Ed25519.Verify(buf.AsSpan(0, 32), bytes, bytes);
            return true;
        }));
    }

    [Fact]
    public void Verify_AllZeroAndAllOnes_ReturnFalse()
    {
        byte[] zeros = new byte[64];
        byte[] ones = Enumerable.Repeat((byte)0xff, 64).ToArray();
        Assert.False(Ed25519.Verify(zeros.AsSpan(0, 32), [], zeros));
        Assert.False(Ed25519.Verify(ones.AsSpan(0, 32), [], ones));
        Assert.False(Ed25519.Verify(zeros.AsSpan(0, 32), [], ones));
    }

    [Fact]
    public void Verify_SmallOrderPublicKey_ReturnsFalse()
    {
        // The identity (y = 1) as public key with R = identity and S = 0 satisfies every verification equation.
        byte[] identity = new byte[32];
        identity[0] = 1;
        byte[] sig = new byte[64];
        sig[0] = 1;
        Assert.False(Ed25519.Verify(identity, "anything"u8, sig));
    }

    [Fact]
    public void Sign_LongMessage_MatchesIncrementalPathAndVerifies()
    {
        byte[] seed = SeedFrom([9]);
        byte[] msg = new byte[5000];
        new Random(5).NextBytes(msg);
        byte[] pub = new byte[32];
        byte[] sig = new byte[64];
        Ed25519.GetPublicKey(seed, pub);
        Ed25519.Sign(seed, msg, sig);
        Assert.True(Ed25519.Verify(pub, msg, sig));
        msg[4999] ^= 1;
        Assert.False(Ed25519.Verify(pub, msg, sig));
    }

    [Fact]
    public void Sign_ParallelWithManyKeys_MatchesSequential()
    {
        const int count = 64;
        byte[][] seeds = new byte[count][];
        byte[][] messages = new byte[count][];
        byte[][] expected = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            seeds[i] = SeedFrom([(byte)i, 7]);
            messages[i] = new byte[i * 40];
            new Random(i).NextBytes(messages[i]);
            expected[i] = new byte[64];
            Ed25519.Sign(seeds[i], messages[i], expected[i]);
        }

        using var shared = new Ed25519SigningKey(seeds[0]);
        byte[][] actual = new byte[count * 4][];
        Parallel.For(0, count * 4, j =>
        {
            int i = j % count;
            byte[] sig = new byte[64];
            if (j % 2 == 0)
            {
                Ed25519.Sign(seeds[i], messages[i], sig);
            }
            else
            {
                using var key = new Ed25519SigningKey(seeds[i]);
                key.Sign(messages[i], sig);
            }

            actual[j] = sig;
            Assert.Equal(expected[0], shared.Sign(messages[0]));
        });

        for (int j = 0; j < count * 4; j++)
        {
            Assert.Equal(expected[j % count], actual[j]);
        }
    }

    [Fact]
    public void Api_WrongLengths_ThrowArgumentException()
    {
        byte[] seed = new byte[32];
        Assert.Throws<ArgumentException>(() => Ed25519.GetPublicKey(new byte[31], new byte[32]));
        Assert.Throws<ArgumentException>(() => Ed25519.GetPublicKey(seed, new byte[33]));
        Assert.Throws<ArgumentException>(() => Ed25519.Sign(new byte[33], [], new byte[64]));
        Assert.Throws<ArgumentException>(() => Ed25519.Sign(seed, [], new byte[63]));
        Assert.Throws<ArgumentException>(() => Ed25519.Verify(new byte[31], [], new byte[64]));
        Assert.Throws<ArgumentException>(() => new Ed25519SigningKey(new byte[16]));
        Assert.False(Ed25519.Verify(new byte[32], [], new byte[63]));
    }

    [Fact]
    public void SigningKey_Dispose_ZeroesAndRejectsUse()
    {
        var key = new Ed25519SigningKey(SeedFrom([4]));
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign([1]));
        Assert.Throws<ObjectDisposedException>(() => key.PublicKey.ToArray());
    }

    [Fact]
    public void FieldElement_Constants_SatisfyDefinitions()
    {
        FieldElement minusOne = FieldElement.Negate(FieldElement.One);
        Assert.True(FieldElement.Square(Constants.SqrtM1).EqualsVartime(minusOne));
        FieldElement check = FieldElement.Add(FieldElement.Mul(Constants.D, FieldElement.FromUInt(121666)), FieldElement.FromUInt(121665));
        Assert.True(check.IsZero());
        byte[] b = new byte[32];
        Constants.BasePoint.Encode(b);
        Assert.Equal("5866666666666666666666666666666666666666666666666666666666666666", Hex.Encode(b));
    }

    [Fact]
    public void FieldElement_MulAndInvert_AgreeWithBigInteger()
    {
        var p = (System.Numerics.BigInteger.One << 255) - 19;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] a = Fill(bytes, 1);
            byte[] c = Fill(bytes, 2);
            FieldElement fa = FieldElement.FromBytes(a);
            FieldElement fc = FieldElement.FromBytes(c);
            var ia = new System.Numerics.BigInteger(a, isUnsigned: true) & ((System.Numerics.BigInteger.One << 255) - 1);
            var ic = new System.Numerics.BigInteger(c, isUnsigned: true) & ((System.Numerics.BigInteger.One << 255) - 1);
            bool ok = ToBig(FieldElement.Mul(fa, fc)) == ia * ic % p
                && ToBig(FieldElement.Square(fa)) == ia * ia % p
                && ToBig(FieldElement.Sub(fa, fc)) == (((ia - ic) % p) + p) % p
                && ToBig(FieldElement.Carry(FieldElement.Add(fa, fc))) == (ia + ic) % p
                && ToBig(FieldElement.MulSmall(fa, 121665)) == ia * 121665 % p;
            if (ia % p != 0)
            {
                ok &= ToBig(FieldElement.Mul(fa, FieldElement.Invert(fa))) == 1;
            }

            return ok;
        }));
    }

    [Fact]
    public void Scalar_ReduceAndMulAdd_AgreeWithBigInteger()
    {
        var l = new System.Numerics.BigInteger(Scalar.Order, isUnsigned: true);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] wide = new byte[64];
            for (int i = 0; i < 64; i++)
            {
                wide[i] = (byte)((bytes.Length == 0 ? 0xff : bytes[i % bytes.Length]) * (i + 3));
            }

            var w = new System.Numerics.BigInteger(wide, isUnsigned: true);
            byte[] outBytes = new byte[32];
            ScalarLimbs r = Scalar.FromBytesWide(wide);
            Scalar.ToBytes(r, outBytes);
            bool ok = new System.Numerics.BigInteger(outBytes, isUnsigned: true) == w % l;

            byte[] a32 = wide[..32];
            a32[31] &= 127;
            var ia = new System.Numerics.BigInteger(a32, isUnsigned: true);
            ScalarLimbs prod = Scalar.Add(Scalar.Mul(r, Scalar.FromBytes(a32)), r);
            Scalar.ToBytes(prod, outBytes);
            ok &= new System.Numerics.BigInteger(outBytes, isUnsigned: true) == ((w % l * ia) + (w % l)) % l;
            return ok;
        }));
    }

    [Fact]
    public void Scalar_NonAdjacentForm_ReconstructsValueWithSparseOddDigits()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] k = System.Security.Cryptography.SHA256.HashData(bytes);
            k[31] &= 0x7f;
            bool ok = true;
            for (int w = 5; w <= 8; w += 3)
            {
                sbyte[] naf = new sbyte[256];
                Scalar.NonAdjacentForm(k, w, naf);
                System.Numerics.BigInteger sum = 0;
                int last = -w;
                for (int i = 0; i < 256; i++)
                {
                    if (naf[i] != 0)
                    {
                        ok &= (naf[i] & 1) != 0 && Math.Abs((int)naf[i]) < (1 << (w - 1)) && i - last >= w;
                        last = i;
                        sum += (System.Numerics.BigInteger)naf[i] << i;
                    }
                }

                ok &= sum == new System.Numerics.BigInteger(k, isUnsigned: true);
            }

            return ok;
        }));
    }

    [Fact]
    public void FieldElement_ToBytes_IsCanonicalForValuesAtOrAboveP()
    {
        // p, p + 1 and 2^255 - 1 encode as 0, 1 and 18.
        byte[] p = Hex.Decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        byte[] output = new byte[32];
        FieldElement.FromBytes(p).ToBytes(output);
        Assert.Equal(new byte[32], output);
        p[0] = 0xee;
        FieldElement.FromBytes(p).ToBytes(output);
        Assert.Equal(1, output[0]);
        p[0] = 0xff;
        FieldElement.FromBytes(p).ToBytes(output);
        Assert.Equal(18, output[0]);
        Assert.False(EdwardsPoint.IsCanonicalFieldEncoding(Hex.Decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")));
        Assert.True(EdwardsPoint.IsCanonicalFieldEncoding(Hex.Decode("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")));
    }

    private static System.Numerics.BigInteger ToBig(in FieldElement f)
    {
        byte[] b = new byte[32];
        f.ToBytes(b);
        return new System.Numerics.BigInteger(b, isUnsigned: true);
    }

    private static byte[] Fill(byte[] source, int salt)
    {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++)
        {
            b[i] = source.Length == 0 ? (byte)(0xff - salt) : (byte)(source[(i * salt) % source.Length] + (i * salt * 31));
        }

        return b;
    }

    private static byte[] SeedFrom(byte[] data) => System.Security.Cryptography.SHA256.HashData(data);
}
