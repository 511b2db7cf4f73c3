using Aster.Fory.Dynamic;
using Aster.Testing;

namespace Aster.Fory.Tests;

/// <summary>At least 100,000 mutations of the valid vectors: only <see cref="ForyDecodeException"/> may escape.</summary>
public sealed class MutationTests
{
    private const int Mutations = 100_000;

    [VectorFact]
    public void Decode_100000MutatedVectors_OnlyForyDecodeExceptionEscapes()
    {
        const int seed = 20261122;
        Random random = new(seed);
        ForySerializer serializer = TypedVectorTests.CreateSerializer();
        List<(byte[] Bytes, Type? Type)> corpus = [];
        foreach (ForyVector v in ForyVector.All)
        {
            Type? t = TypedVectorTests.Types.GetValueOrDefault(v.RootType);
            corpus.Add((v.Bytes, t));
            try
            {
                corpus.Add((ForyDynamic.Write(ForyDynamic.Read(v.Bytes)), t));
            }
            catch (ForyDecodeException)
            {
                // the two documented undecodable-without-schema vectors
            }
        }

        ForyOptions small = new() { MaxDepth = 8, MaxCollectionLength = 64, MaxStringBytes = 64, MaxBinaryBytes = 64 };
        System.Diagnostics.Stopwatch dyn = new();
        System.Diagnostics.Stopwatch typed = new();
        int decodedOk = 0;
        int rejected = 0;
        for (int i = 0; i < Mutations; i++)
        {
            (byte[] original, Type? type) = corpus[random.Next(corpus.Count)];
            byte[] mutated = Mutate(original, random);
            ForyOptions options = (i & 7) == 0 ? small : ForyOptions.Default;
            dyn.Start();
            try
            {
                ForyDynamic.Read(mutated, options);
                decodedOk++;
            }
            catch (ForyDecodeException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, iteration {i}: dynamic reader threw {e.GetType().Name}: {e.Message}\nbytes {Convert.ToHexStringLower(mutated)}\n{e}");
            }

            dyn.Stop();
            if (type is not null)
            {
                typed.Start();
                try
                {
                    TypedCall.Deserialize(serializer, type, mutated);
                }
                catch (ForyDecodeException)
                {
                }
                catch (Exception e)
                {
                    Assert.Fail($"seed {seed}, iteration {i}: typed reader ({type.Name}) threw {e.GetType().Name}: {e.Message}\nbytes {Convert.ToHexStringLower(mutated)}\n{e}");
                }

                typed.Stop();
            }
        }

        Assert.True(rejected > Mutations / 10, $"only {rejected} rejected, {decodedOk} accepted");
        Console.WriteLine($"mutation test: {rejected} rejected, {decodedOk} accepted, dynamic {dyn.ElapsedMilliseconds} ms, typed {typed.ElapsedMilliseconds} ms");
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] b = (byte[])original.Clone();
        int rounds = 1 + (random.Next(4) == 0 ? random.Next(4) : 0);
        for (int k = 0; k < rounds && b.Length > 0; k++)
        {
            int at = random.Next(b.Length);
            switch (random.Next(7))
            {
                case 0:
                    b[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    b[at] = (byte)random.Next(256);
                    break;
                case 2:
                    b = b[..random.Next(b.Length)];
                    break;
                case 3:
                    b = [.. b[..at], (byte)random.Next(256), .. b[at..]];
                    break;
                case 4:
                    b = [.. b[..at], .. b[Math.Min(b.Length, at + 1 + random.Next(4))..]];
                    break;
                case 5:
                    // length-field inflation: a large varint where a count or length may sit
                    b = [.. b[..at], 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, .. b[Math.Min(b.Length, at + 1)..]];
                    break;
                default:
                    b[at] = (byte)(b[at] + 1 + random.Next(3));
                    break;
            }
        }

        return b;
    }
}
