using System.Buffers.Binary;
using Aster.Fory.Dynamic;
using Aster.Fory.Meta;
using Aster.Testing;

namespace Aster.Fory.Tests;

/// <summary>Every vector through the schema-less reader and the value-tree writer.</summary>
public sealed class DynamicVectorTests
{
    /// <summary>Fory JS wrote FF with no continuation for a 255-byte TypeDef body; nobody can decode those bytes.</summary>
    private const string Body255 = "typedef-body-exactly-255";

    /// <summary>Fory JS writes record map values with a declared value type and no type meta; only a schema can read that.</summary>
    private const string MapOfRecords = "map-string-struct.2";

    public static TheoryData<string> Ids => ForyVector.Ids();

    private static ForyOptions OptionsFor(ForyVector v) => new()
    {
        Dialect = v.WriterVariant == "one-byte-detector" ? WriterDialect.ForyJsDetector : WriterDialect.ForyJs,
    };

    [VectorTheory]
    [MemberData(nameof(Ids))]
    public void Read_Vector_DecodesToExpectedValue(string id)
    {
        ForyVector v = ForyVector.Get(id);
        if (id == Body255)
        {
            Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(v.Bytes));
            return;
        }

        if (id == MapOfRecords)
        {
            ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(v.Bytes));
            Assert.Contains("without a schema", e.Message, StringComparison.Ordinal);
            return;
        }

        v.AssertRootMatches(ForyDynamic.Read(v.Bytes));
    }

    [VectorTheory]
    [MemberData(nameof(Ids))]
    public void Write_ForyJsDialect_ReproducesVectorBytes(string id)
    {
        ForyVector v = ForyVector.Get(id);
        byte[] ours = ForyDynamic.Write(v.BuildRoot(foryJs: true), OptionsFor(v));
        byte[] expected = v.Bytes;
        if (id == Body255)
        {
            // A correct writer emits FF 00: the vector with the missing continuation byte inserted.
            int at = v.TypeDefs[0].Offset + 8;
            expected = [.. v.Bytes.AsSpan(0, at), 0x00, .. v.Bytes.AsSpan(at)];
        }

        Assert.Equal(Hex.Encode(v.Masked(expected, OffsetsAfterInsert(v, id))), Hex.Encode(v.Masked(ours, OffsetsAfterInsert(v, id))));
        AssertPyforyHeaders(ours, OffsetsAfterInsert(v, id));
    }

    [VectorTheory]
    [MemberData(nameof(Ids))]
    public void Write_PyforyDialect_RoundTrips(string id)
    {
        ForyVector v = ForyVector.Get(id);
        byte[] ours = ForyDynamic.Write(v.BuildRoot());
        v.AssertRootMatches(ForyDynamic.Read(ours));
        Assert.Equal(Hex.Encode(ours), Hex.Encode(ForyDynamic.Write(ForyDynamic.Read(ours))));
    }

    [VectorTheory]
    [MemberData(nameof(Ids))]
    public void TypeDefHeader_ForyJsForm_MatchesVector(string id)
    {
        ForyVector v = ForyVector.Get(id);
        foreach ((int offset, int length, int bodySize, string headerHex) in v.TypeDefs)
        {
            ReadOnlySpan<byte> body = v.Bytes.AsSpan(offset + length - bodySize, bodySize);
            bool hasFields = (body[0] & 0x1F) != 0;
            ulong header = TypeDef.ForyJsHeader(body, hasFields);
            Assert.Equal(headerHex, Hex.Encode(BitConverterLe(header)));
        }
    }

    [VectorTheory]
    [InlineData("stream-header.unary-minimal", "244195e0ad263069")]
    [InlineData("call-header.basic", "1b410a783b340602")]
    [InlineData("rpc-status.ok", "1881cffc310b0c7d")]
    [InlineData("hello.request", "1581f378cc913a18")]
    [InlineData("hello.response", "1841afdaa02b5175")]
    public void TypeDefHeader_PyforyForm_MatchesSpecWorkedValues(string id, string expected)
    {
        ForyVector v = ForyVector.Get(id);
        (int offset, int length, int bodySize, _) = v.TypeDefs[0];
        ReadOnlySpan<byte> body = v.Bytes.AsSpan(offset + length - bodySize, bodySize);
        Assert.Equal(expected, Hex.Encode(BitConverterLe(TypeDef.PyforyHeader(body, true))));
    }

    private static IEnumerable<int> OffsetsAfterInsert(ForyVector v, string id) =>
        id == Body255 ? v.TypeDefs.Select(t => t.Offset) : v.TypeDefs.Select(t => t.Offset);

    private static void AssertPyforyHeaders(byte[] ours, IEnumerable<int> offsets)
    {
        foreach (int offset in offsets)
        {
            ulong header = BinaryPrimitives.ReadUInt64LittleEndian(ours.AsSpan(offset));
            int size = (int)(header & 0xFF);
            int bodyStart = offset + 8;
            if (size == 255)
            {
                int extra = 0;
                int shift = 0;
                byte b;
                do
                {
                    b = ours[bodyStart++];
                    extra |= (b & 0x7F) << shift;
                    shift += 7;
                }
                while ((b & 0x80) != 0);
                size += extra;
            }

            ReadOnlySpan<byte> body = ours.AsSpan(bodyStart, size);
            Assert.Equal(TypeDef.PyforyHeader(body, (body[0] & 0x1F) != 0), header);
        }
    }

    private static byte[] BitConverterLe(ulong value)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return b;
    }
}
