namespace Aster.Contracts;

/// <summary>
/// Writes TypeDef and ServiceContract records in the canonical layout of contracts-and-fory.md A4 (or the legacy
/// layout of A5), applying the ordering rules of A6.
/// </summary>
internal static class CanonicalEncoder
{
    private static readonly string[] _languages = ["python", "typescript", "java", "csharp", "go"];

    public static byte[] Encode(TypeDef typeDef, CanonicalLayout layout = CanonicalLayout.Current)
    {
        CanonicalWriter writer = new();
        Write(writer, typeDef, layout);
        return writer.ToArray();
    }

    public static byte[] Encode(ServiceContractDef contract, CanonicalLayout layout = CanonicalLayout.Current)
    {
        ValidateProducerLanguage(contract);
        CanonicalWriter writer = new();
        writer.WriteString(contract.Name);
        writer.WriteInt32(contract.Version);
        List<MethodDef> methods = CodePointOrder.StableSort(contract.Methods, m => m.Name, CodePointOrder.Nfc);
        writer.WriteListHeader(methods.Count);
        foreach (MethodDef method in methods)
        {
            Write(writer, method);
        }

        writer.WriteListHeader(contract.SerializationModes.Count);
        foreach (string mode in contract.SerializationModes)
        {
            writer.WriteString(mode);
        }

        writer.WriteVarUInt((ulong)contract.Scoped);
        WriteOptional(writer, contract.Requires);
        if (layout == CanonicalLayout.Current)
        {
            writer.WriteString(contract.ProducerLanguage);
        }

        return writer.ToArray();
    }

    private static void ValidateProducerLanguage(ServiceContractDef contract)
    {
        bool native = contract.SerializationModes.Contains("native", StringComparer.Ordinal);
        string language = contract.ProducerLanguage;
        if (native && !_languages.Contains(language, StringComparer.Ordinal))
        {
            throw ContractErrors.Create(ContractRule.InvalidProducerLanguage, contract.Name,
                "the 'native' serialization mode requires producer_language to be one of python, typescript, java, csharp or go");
        }

        if (!native && language.Length != 0)
        {
            throw ContractErrors.Create(ContractRule.InvalidProducerLanguage, contract.Name,
                "producer_language must be empty unless the 'native' serialization mode is declared");
        }
    }

    private static void Write(CanonicalWriter writer, TypeDef typeDef, CanonicalLayout layout)
    {
        writer.WriteVarUInt((ulong)typeDef.Kind);
        writer.WriteString(typeDef.Package);
        writer.WriteString(typeDef.Name);

        List<FieldDef> fields = CodePointOrder.StableSort(typeDef.Fields, f => f.Name, CodePointOrder.Nfc);
        writer.WriteListHeader(fields.Count);
        for (int i = 0; i < fields.Count; i++)
        {
            Write(writer, fields[i], i + 1, layout);
        }

        List<EnumValueDef> values = [.. typeDef.EnumValues.OrderBy(v => v.Value)];
        writer.WriteListHeader(values.Count);
        foreach (EnumValueDef value in values)
        {
            writer.WriteString(value.Name);
            writer.WriteInt32(value.Value);
        }

        List<UnionVariantDef> variants = [.. typeDef.UnionVariants.OrderBy(v => v.Id)];
        writer.WriteListHeader(variants.Count);
        foreach (UnionVariantDef variant in variants)
        {
            writer.WriteString(variant.Name);
            writer.WriteInt32(variant.Id);
            writer.WriteBytes(variant.TypeRef);
        }
    }

    private static void Write(CanonicalWriter writer, FieldDef field, int id, CanonicalLayout layout)
    {
        writer.WriteInt32(id);
        writer.WriteString(field.Name);
        writer.WriteVarUInt((ulong)field.TypeKind);
        writer.WriteString(field.TypePrimitive);
        writer.WriteBytes(field.TypeRef);
        writer.WriteString(field.SelfRefName);
        writer.WriteBool(field.Optional);
        writer.WriteBool(field.RefTracked);
        writer.WriteVarUInt((ulong)field.Container);
        writer.WriteVarUInt((ulong)field.ContainerKeyKind);
        writer.WriteString(field.ContainerKeyPrimitive);
        writer.WriteBytes(field.ContainerKeyRef);
        if (layout == CanonicalLayout.Current)
        {
            writer.WriteBool(field.Required);
            writer.WriteBytes(field.DefaultValue);
        }
    }

    private static void Write(CanonicalWriter writer, MethodDef method)
    {
        writer.WriteString(method.Name);
        writer.WriteVarUInt((ulong)method.Pattern);
        writer.WriteBytes(method.RequestType);
        writer.WriteBytes(method.ResponseType);
        writer.WriteBool(method.Idempotent);
        writer.WriteFloat64(method.DefaultTimeout);
        WriteOptional(writer, method.Requires);
    }

    private static void WriteOptional(CanonicalWriter writer, CapabilityRequirement? requirement)
    {
        if (requirement is null)
        {
            writer.WriteAbsent();
            return;
        }

        writer.WritePresent();
        writer.WriteVarUInt((ulong)requirement.Kind);
        List<string> roles = requirement.Roles.Select(CodePointOrder.ToNfc).ToList();
        roles.Sort(CodePointOrder.Raw);
        writer.WriteListHeader(roles.Count);
        foreach (string role in roles)
        {
            writer.WriteString(role);
        }
    }
}
