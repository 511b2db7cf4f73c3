using Aster.Contracts;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Contracts;

/// <summary>
/// Property tests of contract identity: reordering members and methods never changes the id; any change to a name,
/// a type, a pattern or the version always does.
/// </summary>
public sealed class ContractIdentityProperties
{
    private static readonly string[] _primitives = ["string", "varint64", "varint32", "bool", "float64", "binary", "int32", "uint8"];

    private static readonly string[] _names = ["a", "b", "c", "id", "name", "value", "caf\u00e9", "\uff21", "\U00020000x", "z_last", "Upper", "_u"];

    private sealed record Generated(ServiceContractDef Contract, List<TypeDef> Types, Dictionary<TypeDef, int> Owner);

    [Fact]
    public void ContractId_ReorderedMembersAndMethods_Unchanged()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            Random random = new(seed);
            (ServiceContractDef contract, List<TypeDef> types) = Generate(random);
            string id = Id(contract, types);

            List<TypeDef> shuffledTypes = [.. types.Select(t => t with { Fields = Shuffle(random, t.Fields) })];
            ServiceContractDef shuffled = contract with { Methods = Shuffle(random, contract.Methods) };
            return id == Id(shuffled, shuffledTypes);
        }));
    }

    [Fact]
    public void ContractId_AnyObservableChange_Changes()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            Random random = new(seed);
            (ServiceContractDef contract, List<TypeDef> types) = Generate(random);
            string id = Id(contract, types);
            int m = random.Next(contract.Methods.Count);
            MethodDef method = contract.Methods[m];
            int t = method.RequestType[0];
            TypeDef type = types[t];

            List<(ServiceContractDef Contract, List<TypeDef> Types)> mutations =
            [
                (contract with { Name = contract.Name + "2" }, types),
                (contract with { Version = contract.Version + 1 }, types),
                (contract with { Scoped = contract.Scoped == ServiceScope.Shared ? ServiceScope.Session : ServiceScope.Shared }, types),
                (Replace(contract, m, method with { Name = method.Name + "_2" }), types),
                (Replace(contract, m, method with { Pattern = (MethodPattern)(((int)method.Pattern + 1) % 4) }), types),
                (Replace(contract, m, method with { Idempotent = !method.Idempotent }), types),
                (Replace(contract, m, method with { DefaultTimeout = method.DefaultTimeout + 1 }), types),
                (contract, ReplaceType(types, t, type with { Name = type.Name + "2" })),
                (contract, ReplaceType(types, t, type with { Package = type.Package + ".x" })),
            ];
            if (type.Fields.Count > 0)
            {
                int f = random.Next(type.Fields.Count);
                FieldDef field = type.Fields[f];
                string otherPrimitive = _primitives.First(p => p != field.TypePrimitive);
                mutations.Add((contract, ReplaceType(types, t, type with { Fields = ReplaceAt(type.Fields, f, field with { Name = field.Name + "_2" }) })));
                mutations.Add((contract, ReplaceType(types, t, type with { Fields = ReplaceAt(type.Fields, f, field with { TypePrimitive = otherPrimitive }) })));
                mutations.Add((contract, ReplaceType(types, t, type with { Fields = ReplaceAt(type.Fields, f, field with { Optional = !field.Optional }) })));
                mutations.Add((contract, ReplaceType(types, t, type with { Fields = ReplaceAt(type.Fields, f, field with { Container = (ContainerKind)(((int)field.Container + 1) % 3) }) })));
            }

            return mutations.All(mutation => Id(mutation.Contract, mutation.Types) != id);
        }));
    }

    /// <summary>The contract id, with method request types taken from the (possibly changed) TypeDefs by position.</summary>
    private static string Id(ServiceContractDef contract, List<TypeDef> types)
    {
        List<byte[]> hashes = [.. types.Select(t => ContractHash.Hash(CanonicalEncoder.Encode(t)))];
        List<MethodDef> methods = [.. contract.Methods.Select(m => m with
        {
            RequestType = hashes[m.RequestType[0]],
            ResponseType = hashes[m.ResponseType[0]],
        })];
        return ContractHash.ToHex(ContractHash.Hash(CanonicalEncoder.Encode(contract with { Methods = methods })));
    }

    /// <summary>A random contract whose methods' request and response "hashes" are one-byte indexes into the type list.</summary>
    private static (ServiceContractDef Contract, List<TypeDef> Types) Generate(Random random)
    {
        int typeCount = random.Next(1, 4);
        List<TypeDef> types = [];
        for (int i = 0; i < typeCount; i++)
        {
            List<FieldDef> fields = [.. _names.OrderBy(_ => random.Next()).Take(random.Next(0, 5)).Select(name => new FieldDef(
                name, TypeKind.Primitive, _primitives[random.Next(_primitives.Length)], [], string.Empty, random.Next(2) == 0,
                (ContainerKind)random.Next(3), TypeKind.Primitive, string.Empty, []))];
            types.Add(new TypeDef(TypeDefKind.Message, "pkg" + random.Next(3), "T" + i, fields, [], []));
        }

        List<MethodDef> methods = [.. _names.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).Select(name => new MethodDef(
            name, (MethodPattern)random.Next(4), [(byte)random.Next(typeCount)], [(byte)random.Next(typeCount)],
            random.Next(2) == 0, random.Next(3) * 2.5, null))];
        ServiceContractDef contract = new("Svc" + random.Next(100), random.Next(1, 1000), methods, ["xlang"],
            (ServiceScope)random.Next(2), null, string.Empty);
        return (contract, types);
    }

    private static List<T> Shuffle<T>(Random random, IEnumerable<T> items) => [.. items.OrderBy(_ => random.Next())];

    private static ServiceContractDef Replace(ServiceContractDef contract, int index, MethodDef method) =>
        contract with { Methods = ReplaceAt(contract.Methods, index, method) };

    private static List<TypeDef> ReplaceType(List<TypeDef> types, int index, TypeDef type) => ReplaceAt(types, index, type);

    private static List<T> ReplaceAt<T>(IReadOnlyList<T> items, int index, T item) => [.. items.Select((x, i) => i == index ? item : x)];
}
