using System.Reflection;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Aster.Net.Quic.Protection;
using Aster.Net.Tls;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

public sealed class AesNiGcmTests
{
    private const string GcmSpecKey = "feffe9928665731c6d6a8f9467308308";
    private const string GcmSpecNonce = "cafebabefacedbaddecaf888";
    private const string GcmSpecPlaintext =
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private const string GcmSpecAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

    /// <summary>
    /// Test cases 1–4 and 13–16 of McGrew and Viega, "The Galois/Counter Mode of Operation" (the values NIST publishes
    /// with SP 800-38D): key, nonce, plaintext, AAD, ciphertext, tag. Cases 4 and 16 take 60 of the 64 plaintext bytes.
    /// </summary>
    public static TheoryData<string, string, string, string, string, string> SpecificationCases => new()
    {
        { "00000000000000000000000000000000", "000000000000000000000000", "", "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
        {
            "00000000000000000000000000000000", "000000000000000000000000", "00000000000000000000000000000000", "",
            "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"
        },
        {
            GcmSpecKey, GcmSpecNonce, GcmSpecPlaintext, "",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
            "4d5c2af327cd64a62cf35abd2ba6fab4"
        },
        {
            GcmSpecKey, GcmSpecNonce, GcmSpecPlaintext[..120], GcmSpecAad,
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            "5bc94fbc3221a5db94fae95ae7121a47"
        },
        {
            new string('0', 64), "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"
        },
        {
            new string('0', 64), "000000000000000000000000", "00000000000000000000000000000000", "",
            "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"
        },
        {
            GcmSpecKey + GcmSpecKey, GcmSpecNonce, GcmSpecPlaintext, "",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
            "b094dac5d93471bdec1a502270e3cc6c"
        },
        {
            GcmSpecKey + GcmSpecKey, GcmSpecNonce, GcmSpecPlaintext[..120], GcmSpecAad,
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
            "76fc6ece0f4e1768cddf8853bb2d551b"
        },
    };

    [AesNiTheory]
    [MemberData(nameof(SpecificationCases))]
    public void EncryptAndDecrypt_SpecificationTestCases_MatchThePublishedValues(
        string key, string nonce, string plaintext, string aad, string ciphertext, string tag)
    {
        using var gcm = new AesNiGcm(Convert.FromHexString(key));
        byte[] input = Convert.FromHexString(plaintext);
        byte[] output = new byte[input.Length];
        byte[] computedTag = new byte[16];
        gcm.Encrypt(Convert.FromHexString(nonce), input, output, computedTag, Convert.FromHexString(aad));
        Assert.Equal(ciphertext, Convert.ToHexStringLower(output));
        Assert.Equal(tag, Convert.ToHexStringLower(computedTag));

        byte[] opened = new byte[output.Length];
        Assert.True(gcm.TryDecrypt(Convert.FromHexString(nonce), output, computedTag, opened, Convert.FromHexString(aad)));
        Assert.Equal(plaintext, Convert.ToHexStringLower(opened));
    }

    [AesNiTheory]
    [InlineData(16, 0)]
    [InlineData(16, 13)]
    [InlineData(16, 37)]
    [InlineData(32, 0)]
    [InlineData(32, 21)]
    public void EncryptAndDecrypt_EveryLengthUpTo2048_MatchAesGcmInPlaceAndOutOfPlace(int keyLength, int aadLength)
    {
        var random = new Random((keyLength * 1000) + aadLength);
        byte[] key = RandomBytes(random, keyLength);
        byte[] nonce = RandomBytes(random, 12);
        byte[] aad = RandomBytes(random, aadLength);
        byte[] all = RandomBytes(random, 2048);
        using var reference = new AesGcm(key, 16);
        using var ours = new AesNiGcm(key);
        byte[] expected = new byte[all.Length];
        byte[] outOfPlace = new byte[all.Length];
        byte[] inPlace = new byte[all.Length];
        byte[] expectedTag = new byte[16];
        byte[] tag = new byte[16];
        for (int length = 0; length <= all.Length; length++)
        {
            ReadOnlySpan<byte> plaintext = all.AsSpan(0, length);
            reference.Encrypt(nonce, plaintext, expected.AsSpan(0, length), expectedTag, aad);

            ours.Encrypt(nonce, plaintext, outOfPlace.AsSpan(0, length), tag, aad);
            AssertSame(expected.AsSpan(0, length), outOfPlace.AsSpan(0, length), length);
            AssertSame(expectedTag, tag, length);

            plaintext.CopyTo(inPlace);
            ours.Encrypt(nonce, inPlace.AsSpan(0, length), inPlace.AsSpan(0, length), tag, aad);
            AssertSame(expected.AsSpan(0, length), inPlace.AsSpan(0, length), length);
            AssertSame(expectedTag, tag, length);

            Assert.True(ours.TryDecrypt(nonce, expected.AsSpan(0, length), expectedTag, outOfPlace.AsSpan(0, length), aad));
            AssertSame(plaintext, outOfPlace.AsSpan(0, length), length);
            Assert.True(ours.TryDecrypt(nonce, inPlace.AsSpan(0, length), tag, inPlace.AsSpan(0, length), aad));
            AssertSame(plaintext, inPlace.AsSpan(0, length), length);
        }
    }

    [AesNiFact]
    public void EncryptAndDecrypt_RandomKeyNonceAadAndPlaintext_MatchAesGcm()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(500),
            Prop.ForAll(ArbMap.Default.ArbFor<int>(), ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<byte[]>(), (seed, aad, plaintext) =>
            {
                var random = new Random(seed);
                byte[] key = RandomBytes(random, random.Next(2) == 0 ? 16 : 32);
                byte[] nonce = RandomBytes(random, 12);
                using var reference = new AesGcm(key, 16);
                using var ours = new AesNiGcm(key);
                byte[] expected = new byte[plaintext.Length];
                byte[] expectedTag = new byte[16];
                reference.Encrypt(nonce, plaintext, expected, expectedTag, aad);

                byte[] ciphertext = new byte[plaintext.Length];
                byte[] tag = new byte[16];
                ours.Encrypt(nonce, plaintext, ciphertext, tag, aad);
                Assert.Equal(expected, ciphertext);
                Assert.Equal(expectedTag, tag);

                byte[] opened = new byte[plaintext.Length];
                Assert.True(ours.TryDecrypt(nonce, ciphertext, tag, opened, aad));
                Assert.Equal(plaintext, opened);
            }));
    }

    [AesNiTheory]
    [InlineData("ciphertext", false)]
    [InlineData("ciphertext", true)]
    [InlineData("tag", false)]
    [InlineData("tag", true)]
    [InlineData("aad", false)]
    [InlineData("nonce", true)]
    [InlineData("truncated", false)]
    public void TryDecrypt_TamperedInput_FailsAndZeroesTheOutputAsAesGcmDoes(string tampered, bool inPlace)
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] aad = RandomNumberGenerator.GetBytes(20);
        byte[] plaintext = RandomNumberGenerator.GetBytes(1000);
        using var gcm = new AesNiGcm(key);
        using var reference = new AesGcm(key, 16);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        switch (tampered)
        {
            case "ciphertext":
                ciphertext[999] ^= 0x80;
                break;
            case "tag":
                tag[15] ^= 1;
                break;
            case "aad":
                aad[0] ^= 1;
                break;
            case "nonce":
                nonce[11] ^= 1;
                break;
            default:
                Array.Resize(ref ciphertext, 999);
                break;
        }

        byte[] ours = inPlace ? (byte[])ciphertext.Clone() : Filled(ciphertext.Length, 0xee);
        Assert.False(gcm.TryDecrypt(nonce, inPlace ? ours : ciphertext, tag, ours, aad));
        Assert.All(ours, b => Assert.Equal(0, b));

        byte[] theirs = inPlace ? (byte[])ciphertext.Clone() : Filled(ciphertext.Length, 0xee);
        Assert.Throws<AuthenticationTagMismatchException>(() => reference.Decrypt(nonce, inPlace ? theirs : ciphertext, tag, theirs, aad));
        Assert.Equal(theirs, ours);
    }

    [AesNiFact]
    public void Arguments_WrongKeyNonceTagOrBufferSizes_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new AesNiGcm(new byte[24]));
        Assert.Throws<ArgumentException>(() => new AesNiGcm(new byte[15]));
        using var gcm = new AesNiGcm(new byte[16]);
        Assert.Throws<ArgumentException>(() => gcm.Encrypt(new byte[8], new byte[4], new byte[4], new byte[16], default));
        Assert.Throws<ArgumentException>(() => gcm.Encrypt(new byte[12], new byte[4], new byte[5], new byte[16], default));
        Assert.Throws<ArgumentException>(() => gcm.Encrypt(new byte[12], new byte[4], new byte[4], new byte[12], default));
        Assert.Throws<ArgumentException>(() => gcm.TryDecrypt(new byte[12], new byte[4], new byte[15], new byte[4], default));
        byte[] buffer = new byte[64];
        Assert.Throws<ArgumentException>(() => gcm.Encrypt(new byte[12], buffer.AsSpan(0, 32), buffer.AsSpan(1, 32), new byte[16], default));
    }

    [AesNiFact]
    public void Dispose_ZeroesRoundKeysAndHashPowersAndRejectsFurtherUse()
    {
        var gcm = new AesNiGcm(RandomNumberGenerator.GetBytes(32));
        Vector128<byte>[] roundKeys = PrivateField<Vector128<byte>[]>(gcm, "_roundKeys");
        Vector128<ulong>[] hashPowers = PrivateField<Vector128<ulong>[]>(gcm, "_hashPowers");
        Assert.Contains(roundKeys, k => k != Vector128<byte>.Zero);
        Assert.Contains(hashPowers, h => h != Vector128<ulong>.Zero);

        gcm.Dispose();

        Assert.All(roundKeys, k => Assert.Equal(Vector128<byte>.Zero, k));
        Assert.All(hashPowers, h => Assert.Equal(Vector128<ulong>.Zero, h));
        Assert.Throws<ObjectDisposedException>(() => gcm.Encrypt(new byte[12], new byte[4], new byte[4], new byte[16], default));
        Assert.Throws<ObjectDisposedException>(() => gcm.TryDecrypt(new byte[12], new byte[4], new byte[16], new byte[4], default));
    }

    [Theory]
    [InlineData((ushort)0x1301)]
    [InlineData((ushort)0x1302)]
    public void PacketAead_BothPaths_SealAndOpenEachOther(ushort suiteCode)
    {
        var suite = (TlsCipherSuite)suiteCode;
        byte[] key = RandomNumberGenerator.GetBytes(QuicCipherSuites.GetKeyLength(suite));
        byte[] iv = RandomNumberGenerator.GetBytes(12);
        using PacketAead fast = PacketAead.Create(suite, key, iv, useAesNi: true);
        using PacketAead platform = PacketAead.Create(suite, key, iv, useAesNi: false);
        byte[] header = RandomNumberGenerator.GetBytes(13);
        byte[] payload = RandomNumberGenerator.GetBytes(1400);
        byte[] a = (byte[])payload.Clone();
        byte[] b = (byte[])payload.Clone();
        byte[] tagA = new byte[16];
        byte[] tagB = new byte[16];
        fast.Encrypt(77, header, a, tagA);
        platform.Encrypt(77, header, b, tagB);
        Assert.Equal(b, a);
        Assert.Equal(tagB, tagA);
        Assert.True(platform.TryDecrypt(77, header, a, tagA));
        Assert.True(fast.TryDecrypt(77, header, b, tagB));
        Assert.Equal(payload, a);
        Assert.Equal(payload, b);

        b[100] ^= 1;
        Assert.False(fast.TryDecrypt(77, header, b, tagA));
        Assert.All(b, x => Assert.Equal(0, x));
    }

    private static void AssertSame(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, int length)
    {
        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"Mismatch at length {length}: expected {Convert.ToHexStringLower(expected)}, got {Convert.ToHexStringLower(actual)}.");
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Filled(int length, byte value)
    {
        byte[] bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    private static T PrivateField<T>(object instance, string name) =>
        (T)instance.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(instance)!;
}

/// <summary>A fact about <see cref="AesNiGcm"/>; it skips, saying why, only on a CPU without AES-NI and PCLMULQDQ.</summary>
internal sealed class AesNiFactAttribute : FactAttribute
{
    public AesNiFactAttribute()
    {
        if (AesNiGcm.IsSupported is false)
        {
            Skip = AesNiSkip.Reason;
        }
    }
}

/// <summary>A theory about <see cref="AesNiGcm"/>; it skips, saying why, only on a CPU without AES-NI and PCLMULQDQ.</summary>
internal sealed class AesNiTheoryAttribute : TheoryAttribute
{
    public AesNiTheoryAttribute()
    {
        if (AesNiGcm.IsSupported is false)
        {
            Skip = AesNiSkip.Reason;
        }
    }
}

internal static class AesNiSkip
{
    public const string Reason =
        "This CPU has no AES-NI/PCLMULQDQ, so AesNiGcm cannot run here; packet protection uses System.Security.Cryptography.AesGcm instead (PacketAead tests still cover that path).";
}
