using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Aster.Net.Quic.Protection;
using Aster.Net.Tls;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

/// <summary>Header protection on the AES instructions (<see cref="AesNiRounds"/>) against the BCL AES-ECB path.</summary>
public sealed class AesNiHeaderProtectionTests
{
    [AesNiFact]
    public void ExpandKey_Fips197AppendixA_RoundKeysMatch()
    {
        // FIPS-197 A.1 (AES-128): w[40..43], the last round key; A.3 (AES-256): w[56..59].
        Vector128<byte>[] k128 = AesNiRounds.ExpandKey(Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c"));
        Assert.Equal(11, k128.Length);
        Assert.Equal("D014F9A8C9EE2589E13F0CC8B6630CA6", Hex(k128[10]));
        Vector128<byte>[] k256 = AesNiRounds.ExpandKey(Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"));
        Assert.Equal(15, k256.Length);
        Assert.Equal("FE4890D1E6188D0B046DF344706C631E", Hex(k256[14]));
        Assert.Throws<ArgumentException>(() => AesNiRounds.ExpandKey(new byte[24]));
    }

    [AesNiTheory]
    [InlineData((ushort)TlsCipherSuite.Aes128GcmSha256)]
    [InlineData((ushort)TlsCipherSuite.Aes256GcmSha384)]
    public void ComputeMask_And_ComputeMasks_RandomKeysAndSamples_MatchTheBclTransform(ushort suiteValue)
    {
        var suite = (TlsCipherSuite)suiteValue;
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(300),
            Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
            {
                var random = new Random(seed);
                byte[] keyBytes = new byte[QuicCipherSuites.GetKeyLength(suite)];
                random.NextBytes(keyBytes);
                using HeaderProtectionKey ours = HeaderProtectionKey.Create(suite, keyBytes, useAesNi: true);
                using HeaderProtectionKey bcl = HeaderProtectionKey.Create(suite, keyBytes, useAesNi: false);

                int count = random.Next(0, HeaderProtectionBatch.Capacity + 1);
                byte[] samples = new byte[count * HeaderProtectionBatch.BlockLength];
                random.NextBytes(samples);
                byte[] oursMasks = new byte[samples.Length];
                byte[] bclMasks = new byte[samples.Length];
                ours.ComputeMasks(samples, oursMasks, count);
                bcl.ComputeMasks(samples, bclMasks, count);
                Assert.Equal(bclMasks, oursMasks);

                Span<byte> one = stackalloc byte[HeaderProtectionKey.MaskLength];
                Span<byte> other = stackalloc byte[HeaderProtectionKey.MaskLength];
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> sample = samples.AsSpan(i * HeaderProtectionBatch.BlockLength, HeaderProtectionBatch.BlockLength);
                    ours.ComputeMask(sample, one);
                    bcl.ComputeMask(sample, other);
                    Assert.True(one.SequenceEqual(other), $"sample {i}");
                    Assert.True(one.SequenceEqual(oursMasks.AsSpan(i * HeaderProtectionBatch.BlockLength, HeaderProtectionKey.MaskLength)), $"batched mask {i}");
                }
            }));
    }

    [AesNiFact]
    public void ComputeMask_ShortSampleOrMask_ThrowsArgumentException()
    {
        using HeaderProtectionKey key = HeaderProtectionKey.Create(TlsCipherSuite.Aes128GcmSha256, RandomNumberGenerator.GetBytes(16), useAesNi: true);
        Assert.Throws<ArgumentException>(() => key.ComputeMask(new byte[15], new byte[5]));
        Assert.Throws<ArgumentException>(() => key.ComputeMask(new byte[16], new byte[4]));
        Assert.Throws<ArgumentException>(() => key.ComputeMasks(new byte[16], new byte[16], 2));
    }

    private static string Hex(Vector128<byte> value)
    {
        byte[] bytes = new byte[16];
        value.CopyTo(bytes);
        return Convert.ToHexString(bytes);
    }
}
