using System.Text.Json;
using Aster.Contracts;
using Aster.Testing;

namespace Aster.Tests.Contracts;

public sealed class CanonicalEncoderTests
{
    public static TheoryData<string> CurrentCasesWithContract() => CaseIds(c => c.TryGetProperty("expected_canonical_hex", out _));

    public static TheoryData<string> CurrentCasesWithTypes() => CaseIds(c => c.GetProperty("types").GetArrayLength() > 0);

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "ac02")]
    [InlineData(ulong.MaxValue, "ffffffffffffffffff01")]
    public void WriteVarUInt_Value_WritesLeb128(ulong value, string expected)
    {
        CanonicalWriter writer = new();
        writer.WriteVarUInt(value);
        Assert.Equal(expected, Hex.Encode(writer.ToArray()));
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(int.MaxValue, "feffffff0f")]
    [InlineData(int.MinValue, "ffffffff0f")]
    public void WriteInt32_Value_WritesZigZag(int value, string expected)
    {
        CanonicalWriter writer = new();
        writer.WriteInt32(value);
        Assert.Equal(expected, Hex.Encode(writer.ToArray()));
    }

    [Fact]
    public void Primitives_SpecExamples_MatchA2()
    {
        CanonicalWriter writer = new();
        writer.WriteString(string.Empty);
        writer.WriteString("echo");
        writer.WriteBytes([]);
        writer.WriteBool(true);
        writer.WriteFloat64(30.0);
        writer.WriteFloat64(-0.0);
        writer.WriteListHeader(0);
        writer.WriteAbsent();
        writer.WritePresent();
        Assert.Equal("02" + "126563686f" + "00" + "01" + "0000000000003e40" + "0000000000000000" + "000c" + "fd" + "00", Hex.Encode(writer.ToArray()));
    }

    [VectorFact]
    public void Encode_LegacyGoldenVectors_ReproducesBytes()
    {
        using JsonDocument doc = Vectors.Load("contract-identity.json");
        int count = 0;
        foreach (JsonElement vector in doc.RootElement.GetProperty("golden_vectors").EnumerateArray())
        {
            ServiceContractDef contract = VectorModel.Contract(vector.GetProperty("contract"));
            byte[] bytes = CanonicalEncoder.Encode(contract, CanonicalLayout.Legacy);
            Assert.Equal(vector.GetProperty("expected_canonical_hex").GetString(), Hex.Encode(bytes));
            Assert.Equal(vector.GetProperty("expected_canonical_length").GetInt32(), bytes.Length);
            Assert.Equal(vector.GetProperty("expected_blake3").GetString(), ContractHash.ToHex(ContractHash.Hash(bytes)));
            count++;
        }

        Assert.Equal(4, count);
    }

    [VectorTheory]
    [MemberData(nameof(CurrentCasesWithContract))]
    public void Encode_CurrentContract_ReproducesBytes(string id)
    {
        JsonElement vector = Case(id);
        ServiceContractDef contract = VectorModel.Contract(vector.GetProperty("contract"));
        byte[] bytes = CanonicalEncoder.Encode(contract);
        Assert.Equal(vector.GetProperty("expected_canonical_hex").GetString(), Hex.Encode(bytes));
        Assert.Equal(vector.GetProperty("expected_canonical_length").GetInt32(), bytes.Length);
        Assert.Equal(vector.GetProperty("expected_contract_id").GetString(), ContractHash.ToHex(ContractHash.Hash(bytes)));
    }

    [VectorTheory]
    [MemberData(nameof(CurrentCasesWithTypes))]
    public void Encode_CurrentTypeDefs_ReproducesBytes(string id)
    {
        foreach (JsonElement type in Case(id).GetProperty("types").EnumerateArray())
        {
            TypeDef typeDef = VectorModel.TypeDef(type.GetProperty("typedef"));
            byte[] bytes = CanonicalEncoder.Encode(typeDef);
            Assert.Equal(type.GetProperty("canonical_hex").GetString(), Hex.Encode(bytes));
            Assert.Equal(type.GetProperty("canonical_length").GetInt32(), bytes.Length);
            Assert.Equal(type.GetProperty("type_hash").GetString(), ContractHash.ToHex(ContractHash.Hash(bytes)));
        }
    }

    [Fact]
    public void Encode_EmptyServiceA2_MatchesRustUnitVector()
    {
        ServiceContractDef contract = new("EmptyService", 1, [], ["xlang"], ServiceScope.Shared, null, string.Empty);

        byte[] bytes = CanonicalEncoder.Encode(contract);

        Assert.Equal("32456d70747953657276696365" + "02" + "000c" + "010c16786c616e67" + "00" + "fd" + "02", Hex.Encode(bytes));
        Assert.Equal("d016f1c19d536b69c4fb2af96acce700da5c45bd6c4860b6c9ae408b4ca35438", ContractHash.ToHex(ContractHash.Hash(bytes)));
    }

    [Fact]
    public void Encode_CapabilityRoles_WrittenNfcAndSorted()
    {
        MethodDef method = new("m", MethodPattern.Unary, [], [], false, 0, new CapabilityRequirement(CapabilityKind.AllOf, ["z", "cafe\u0301", "a"]));
        ServiceContractDef contract = new("S", 1, [method], [], ServiceScope.Shared, null, string.Empty);

        string hex = Hex.Encode(CanonicalEncoder.Encode(contract));

        Assert.Contains("02" + "030c" + "0661" + "1663616600e9".Replace("00e9", "c3a9", StringComparison.Ordinal) + "067a", hex, StringComparison.Ordinal);
    }

    [VectorFact]
    public void ToNfc_IdentifierNormalizationVectors_Match()
    {
        using JsonDocument doc = Vectors.Load("contract-identity.json");
        foreach (JsonElement pair in doc.RootElement.GetProperty("identifier_normalization").GetProperty("vectors").EnumerateArray())
        {
            Assert.Equal(pair.GetProperty("normalized").GetString(), CodePointOrder.ToNfc(pair.GetProperty("input").GetString()!));
        }
    }

    [Fact]
    public void Compare_SupplementaryCharacter_SortsAfterBmpPrivateUse()
    {
        // UTF-16 ordinal order would put U+20000 (a surrogate pair) before U+FF21.
        Assert.True(CodePointOrder.Compare("\uff21", "\U00020000") < 0);
        Assert.True(string.CompareOrdinal("\uff21", "\U00020000") > 0);
    }

    [VectorFact]
    public void Encode_NativeModeWithoutProducerLanguage_Throws()
    {
        ServiceContractDef contract = VectorModel.Contract(Case("native-mode-rejected").GetProperty("contract"));
        ContractException ex = Assert.Throws<ContractException>(() => CanonicalEncoder.Encode(contract));
        Assert.Equal(ContractRule.InvalidProducerLanguage, ex.Rule);
    }

    [VectorFact]
    public void Encode_LegacyLayoutOfCurrentCases_MatchesLegacyLength()
    {
        using JsonDocument doc = Vectors.Load("contract-identity-current.json");
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (c.TryGetProperty("legacy_layout", out JsonElement legacy))
            {
                byte[] bytes = CanonicalEncoder.Encode(VectorModel.Contract(c.GetProperty("contract")), CanonicalLayout.Legacy);
                Assert.Equal(legacy.GetProperty("canonical_length").GetInt32(), bytes.Length);
                Assert.Equal(legacy.GetProperty("blake3").GetString(), ContractHash.ToHex(ContractHash.Hash(bytes)));
            }
        }
    }

    private static readonly Lazy<JsonDocument> _current = new(() => Vectors.Load("contract-identity-current.json"));

    internal static JsonElement Case(string id) =>
        _current.Value.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    private static TheoryData<string> CaseIds(Func<JsonElement, bool> filter)
    {
        TheoryData<string> data = [];
        if (Vectors.Root is null)
        {
            data.Add("(vectors absent)");
            return data;
        }

        using JsonDocument doc = Vectors.Load("contract-identity-current.json");
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (filter(c))
            {
                data.Add(c.GetProperty("id").GetString()!);
            }
        }

        return data;
    }
}
