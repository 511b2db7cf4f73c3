using System.Text.Json;
using Aster.Net.Crypto;
using Aster.Net.Crypto.Curve25519;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Crypto;

public sealed class X25519Tests
{
    public static TheoryData<string> WycheproofIds()
    {
        var data = new TheoryData<string>();
        if (Vectors.Root is null)
        {
            data.Add("(vectors absent)");
            return data;
        }

        using JsonDocument doc = Vectors.Load("x25519.json");
        foreach (JsonElement e in doc.RootElement.GetProperty("wycheproof").EnumerateArray())
        {
            data.Add(e.GetProperty("tcId").ToString());
        }

        return data;
    }

    [VectorFact]
    public void Rfc7748_SingleStepVectors_Match()
    {
        using JsonDocument doc = Vectors.Load("x25519.json");
        int count = 0;
        foreach (JsonElement v in doc.RootElement.GetProperty("rfc7748_single").EnumerateArray())
        {
            byte[] output = new byte[32];
            Assert.True(X25519.TryAgree(Hex.Decode(v.GetProperty("scalar").GetString()!), Hex.Decode(v.GetProperty("u_coordinate").GetString()!), output));
            Assert.Equal(v.GetProperty("output").GetString(), Hex.Encode(output));
            count++;
        }

        Assert.Equal(2, count);
    }

    [VectorFact]
    public void Rfc7748_IteratedVectors_Match()
    {
        using JsonDocument doc = Vectors.Load("x25519.json");
        int checkedCount = 0;
        byte[] k = new byte[32];
        byte[] u = new byte[32];
        k[0] = 9;
        u[0] = 9;
        byte[] next = new byte[32];
        int done = 0;
        foreach (JsonElement v in doc.RootElement.GetProperty("rfc7748_iterated").EnumerateArray())
        {
            int iterations = v.GetProperty("iterations").GetInt32();
            if (iterations > 1000)
            {
                continue; // 1,000,000 steps take minutes; the 1 and 1,000 step results pin the same function.
            }

            for (; done < iterations; done++)
            {
                X25519.TryAgree(k, u, next);
                k.CopyTo(u);
                next.CopyTo(k);
            }

            Assert.Equal(v.GetProperty("result").GetString(), Hex.Encode(k));
            checkedCount++;
        }

        Assert.Equal(2, checkedCount);
    }

    [VectorFact]
    public void Rfc7748_DiffieHellmanExample_Matches()
    {
        using JsonDocument doc = Vectors.Load("x25519.json");
        JsonElement v = doc.RootElement.GetProperty("rfc7748_dh");
        byte[] alice = Hex.Decode(v.GetProperty("alice_private").GetString()!);
        byte[] bob = Hex.Decode(v.GetProperty("bob_private").GetString()!);
        byte[] pub = new byte[32];
        X25519.GetPublicKey(alice, pub);
        Assert.Equal(v.GetProperty("alice_public").GetString(), Hex.Encode(pub));
        X25519.GetPublicKey(bob, pub);
        Assert.Equal(v.GetProperty("bob_public").GetString(), Hex.Encode(pub));

        byte[] s1 = new byte[32];
        byte[] s2 = new byte[32];
        Assert.True(X25519.TryAgree(alice, Hex.Decode(v.GetProperty("bob_public").GetString()!), s1));
        Assert.True(X25519.TryAgree(bob, Hex.Decode(v.GetProperty("alice_public").GetString()!), s2));
        Assert.Equal(v.GetProperty("shared").GetString(), Hex.Encode(s1));
        Assert.Equal(s1, s2);
    }

    [VectorTheory]
    [MemberData(nameof(WycheproofIds))]
    public void Wycheproof_Vector_SharedSecretMatchesAndZeroIsRefused(string tcId)
    {
        using JsonDocument doc = Vectors.Load("x25519.json");
        JsonElement v = doc.RootElement.GetProperty("wycheproof").EnumerateArray().First(e => e.GetProperty("tcId").ToString() == tcId);
        byte[] shared = new byte[32];
        bool ok = X25519.TryAgree(Hex.Decode(v.GetProperty("private").GetString()!), Hex.Decode(v.GetProperty("public").GetString()!), shared);
        Assert.Equal(v.GetProperty("shared").GetString(), Hex.Encode(shared));
        bool allZero = v.GetProperty("all_zero_shared").GetBoolean();
        Assert.Equal(!allZero, ok);
        Assert.Equal(allZero, shared.All(b => b == 0));
    }

    [Fact]
    public void TryAgree_RandomKeyPairs_IsSymmetric()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] a = System.Security.Cryptography.SHA256.HashData(bytes);
            byte[] b = System.Security.Cryptography.SHA256.HashData(a);
            byte[] pa = new byte[32];
            byte[] pb = new byte[32];
            X25519.GetPublicKey(a, pa);
            X25519.GetPublicKey(b, pb);
            byte[] s1 = new byte[32];
            byte[] s2 = new byte[32];
            return X25519.TryAgree(a, pb, s1) && X25519.TryAgree(b, pa, s2) && s1.AsSpan().SequenceEqual(s2);
        }));
    }

    [Fact]
    public void GetPublicKey_RandomKeys_MatchesLadderOnBasePoint()
    {
        byte[] nine = new byte[32];
        nine[0] = 9;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(50), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] k = System.Security.Cryptography.SHA256.HashData(bytes);
            byte[] viaTable = new byte[32];
            byte[] viaLadder = new byte[32];
            X25519.GetPublicKey(k, viaTable);
            X25519.TryAgree(k, nine, viaLadder);
            return viaTable.AsSpan().SequenceEqual(viaLadder);
        }));
    }

    [Fact]
    public void TryAgree_LowOrderPoints_ReturnFalse()
    {
        byte[] k = System.Security.Cryptography.SHA256.HashData("k"u8);
        byte[] shared = new byte[32];

        // u = 0, u = 1 and u = p - 1 (and p, p + 1 non-canonically) are of order at most 4.
        string[] lowOrder =
        [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        ];
        foreach (string u in lowOrder)
        {
            Assert.False(X25519.TryAgree(k, Hex.Decode(u), shared), u);
            Assert.All(shared, b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void TryAgree_HighBitOfPeerKey_IsIgnored()
    {
        byte[] k = System.Security.Cryptography.SHA256.HashData("k2"u8);
        byte[] peer = System.Security.Cryptography.SHA256.HashData("peer"u8);
        peer[31] &= 0x7f;
        byte[] s1 = new byte[32];
        byte[] s2 = new byte[32];
        X25519.TryAgree(k, peer, s1);
        peer[31] |= 0x80;
        X25519.TryAgree(k, peer, s2);
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void Api_WrongLengths_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => X25519.GetPublicKey(new byte[31], new byte[32]));
        Assert.Throws<ArgumentException>(() => X25519.GetPublicKey(new byte[32], new byte[31]));
        Assert.Throws<ArgumentException>(() => X25519.TryAgree(new byte[33], new byte[32], new byte[32]));
        Assert.Throws<ArgumentException>(() => X25519.TryAgree(new byte[32], new byte[31], new byte[32]));
        Assert.Throws<ArgumentException>(() => X25519.TryAgree(new byte[32], new byte[32], new byte[64]));
    }

    [Fact]
    public void TryAgree_Parallel_MatchesSequential()
    {
        const int count = 32;
        byte[][] keys = Enumerable.Range(0, count).Select(i => System.Security.Cryptography.SHA256.HashData([(byte)i])).ToArray();
        byte[][] pubs = keys.Select(k =>
        {
            byte[] p = new byte[32];
            X25519.GetPublicKey(k, p);
            return p;
        }).ToArray();
        byte[][] expected = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            expected[i] = new byte[32];
            X25519.TryAgree(keys[i], pubs[(i + 1) % count], expected[i]);
        }

        byte[][] actual = new byte[count][];
        Parallel.For(0, count, i =>
        {
            actual[i] = new byte[32];
            X25519.TryAgree(keys[i], pubs[(i + 1) % count], actual[i]);
        });
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Ladder_EdwardsBasePointImage_MatchesMontgomeryBasePoint()
    {
        // u = (1 + y) / (1 - y) for the Ed25519 base point is 9.
        FieldElement y = Constants.BasePoint.Y;
        FieldElement u = FieldElement.Mul(FieldElement.Add(FieldElement.One, y), FieldElement.Invert(FieldElement.Sub(FieldElement.One, y)));
        Assert.True(u.EqualsVartime(FieldElement.FromUInt(9)));
    }
}
