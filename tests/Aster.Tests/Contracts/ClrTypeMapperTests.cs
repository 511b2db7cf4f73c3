using Aster.Contracts;

namespace Aster.Tests.Contracts;

public sealed class ClrTypeMapperTests
{
    [Theory]
    [InlineData(typeof(bool), false, "bool")]
    [InlineData(typeof(sbyte), false, "int8")]
    [InlineData(typeof(short), false, "int16")]
    [InlineData(typeof(int), false, "varint32")]
    [InlineData(typeof(int), true, "int32")]
    [InlineData(typeof(long), false, "varint64")]
    [InlineData(typeof(long), true, "int64")]
    [InlineData(typeof(byte), false, "uint8")]
    [InlineData(typeof(ushort), false, "uint16")]
    [InlineData(typeof(uint), false, "var_uint32")]
    [InlineData(typeof(uint), true, "uint32")]
    [InlineData(typeof(ulong), false, "var_uint64")]
    [InlineData(typeof(ulong), true, "uint64")]
    [InlineData(typeof(float), false, "float32")]
    [InlineData(typeof(double), false, "float64")]
    [InlineData(typeof(string), false, "string")]
    [InlineData(typeof(Guid), false, "string")]
    [InlineData(typeof(byte[]), false, "binary")]
    [InlineData(typeof(ReadOnlyMemory<byte>), false, "binary")]
    public void MapField_Primitive_A8Name(Type type, bool fixedWidth, string expected)
    {
        FieldShape shape = ClrTypeMapper.MapField(type, null, fixedWidth, "T.F", new HashSet<Type>());

        Assert.Equal(new FieldShape(false, ContainerKind.None, ValueShape.Of(expected), null), shape);
    }

    [Theory]
    [InlineData(typeof(DateTime))]
    [InlineData(typeof(DateTimeOffset))]
    [InlineData(typeof(DateOnly))]
    [InlineData(typeof(object))]
    [InlineData(typeof(DayOfWeek))]
    public void MapField_AnyKinds_Any(Type type)
    {
        Assert.Equal(TypeKind.Any, ClrTypeMapper.MapField(type, null, false, "T.F", new HashSet<Type>()).Value.Kind);
    }

    [Theory]
    [InlineData(typeof(int[]), 1, "varint32")]
    [InlineData(typeof(IReadOnlyList<string>), 1, "string")]
    [InlineData(typeof(ISet<long>), 2, "varint64")]
    [InlineData(typeof(IDictionary<string, bool>), 3, "bool")]
    public void MapField_Containers_KindAndElement(Type type, int container, string element)
    {
        FieldShape shape = ClrTypeMapper.MapField(type, null, false, "T.F", new HashSet<Type>());

        Assert.Equal((ContainerKind)container, shape.Container);
        Assert.Equal(ValueShape.Of(element), shape.Value);
    }

    [Fact]
    public void MapField_NullableValueType_Optional()
    {
        FieldShape shape = ClrTypeMapper.MapField(typeof(int?), null, false, "T.F", new HashSet<Type>());

        Assert.True(shape.Optional);
        Assert.Equal(ValueShape.Of("varint32"), shape.Value);
    }

    [Fact]
    public void MapField_NestedContainerOfRecords_AnyButRecordCollected()
    {
        HashSet<Type> records = [];

        FieldShape shape = ClrTypeMapper.MapField(typeof(Dictionary<string, List<Mirrors.Gen.Item>>), null, false, "T.F", records);

        Assert.Equal(ContainerKind.Map, shape.Container);
        Assert.Equal(TypeKind.Any, shape.Value.Kind);
        Assert.Equal(ValueShape.Of("string"), shape.Key);
        Assert.Contains(typeof(Mirrors.Gen.Item), records);
    }

    [Fact]
    public void MapField_FixedWidthListOfInt_FixedElement()
    {
        FieldShape shape = ClrTypeMapper.MapField(typeof(List<int>), null, true, "T.F", new HashSet<Type>());

        Assert.Equal(ValueShape.Of("int32"), shape.Value);
    }
}
