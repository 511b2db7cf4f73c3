#pragma warning disable CA1720, CA1002, CA2227, CA1819, CA1711, CA1716
using Aster.Fory;

namespace Aster.Fory.Tests.Vec
{
    [WireType("vec/BoolBox")] public sealed record BoolBox(bool Value);
    [WireType("vec/Int8Box")] public sealed record Int8Box(sbyte Value);
    [WireType("vec/Int16Box")] public sealed record Int16Box(short Value);
    [WireType("vec/Int32Box")] public sealed record Int32Box([property: FixedWidth] int Value);
    [WireType("vec/VarInt32Box")] public sealed record VarInt32Box(int Value);
    [WireType("vec/Int64Box")] public sealed record Int64Box([property: FixedWidth] long Value);
    [WireType("vec/VarInt64Box")] public sealed record VarInt64Box(long Value);
    [WireType("vec/TaggedInt64Box")] public sealed record TaggedInt64Box(long Value);
    [WireType("vec/UInt8Box")] public sealed record UInt8Box(byte Value);
    [WireType("vec/UInt16Box")] public sealed record UInt16Box(ushort Value);
    [WireType("vec/UInt32Box")] public sealed record UInt32Box([property: FixedWidth] uint Value);
    [WireType("vec/VarUInt32Box")] public sealed record VarUInt32Box(uint Value);
    [WireType("vec/UInt64Box")] public sealed record UInt64Box([property: FixedWidth] ulong Value);
    [WireType("vec/VarUInt64Box")] public sealed record VarUInt64Box(ulong Value);
    [WireType("vec/TaggedUInt64Box")] public sealed record TaggedUInt64Box(ulong Value);
    [WireType("vec/Float32Box")] public sealed record Float32Box(float Value);
    [WireType("vec/Float64Box")] public sealed record Float64Box(double Value);
    [WireType("vec/StringBox")] public sealed record StringBox(string Value);
    [WireType("vec/BinaryBox")] public sealed record BinaryBox(byte[] Value);

    [WireType("vec/AllPrimitives")]
    public sealed class AllPrimitives
    {
        public string FString { get; set; } = "";
        public bool FBool { get; set; }
        public sbyte FInt8 { get; set; }
        public short FInt16 { get; set; }
        [FixedWidth] public int FInt32 { get; set; }
        public int FVarint32 { get; set; }
        [FixedWidth] public long FInt64 { get; set; }
        public long FVarint64 { get; set; }
        public long FTaggedInt64 { get; set; }
        public byte FUint8 { get; set; }
        public ushort FUint16 { get; set; }
        [FixedWidth] public uint FUint32 { get; set; }
        [WireName("f_var_uint32")] public uint FVarUint32 { get; set; }
        [FixedWidth] public ulong FUint64 { get; set; }
        [WireName("f_var_uint64")] public ulong FVarUint64 { get; set; }
        public float FFloat32 { get; set; }
        public double FFloat64 { get; set; }
        public byte[] FBinary { get; set; } = [];
    }

    [WireType("vec/Point")] public record struct Point([property: FixedWidth] int X, [property: FixedWidth] int Y);

    [WireType("vec/Nullables")]
    public sealed record Nullables(string? S, int? I, double? D, bool? B, byte[]? Bin, List<string>? L, Dictionary<string, int>? M, Point? P, string Req);

    [WireType("vec/ListInt32")] public sealed record ListInt32([property: FixedWidth] List<int> Value);
    [WireType("vec/ListVarInt64")] public sealed record ListVarInt64(IReadOnlyList<long> Value);
    [WireType("vec/ListString")] public sealed record ListString(string[] Value);
    [WireType("vec/ListBool")] public sealed record ListBool(List<bool> Value);
    [WireType("vec/ListFloat64")] public sealed record ListFloat64(List<double> Value);
    [WireType("vec/ListPoint")] public sealed record ListPoint(List<Point> Value);
    [WireType("vec/ListNullableString")] public sealed record ListNullableString(List<string?> Value);
    [WireType("vec/MapStringInt32")] public sealed record MapStringInt32([property: FixedWidth] Dictionary<string, int> Value);
    [WireType("vec/MapStringVarInt64")] public sealed record MapStringVarInt64(IReadOnlyDictionary<string, long> Value);
    [WireType("vec/MapStringString")] public sealed record MapStringString(Dictionary<string, string> Value);
    [WireType("vec/MapStringPoint")] public sealed record MapStringPoint(Dictionary<string, Point> Value);
    [WireType("vec/MapStringNullableString")] public sealed record MapStringNullableString(Dictionary<string, string?> Value);
    [WireType("vec/MapStringVarInt32")] public sealed record MapStringVarInt32(Dictionary<string, int> Value);
    [WireType("vec/SetString")] public sealed record SetString(HashSet<string> Value);

    [WireType("vec/Inner")] public sealed record Inner(long Id, string Note);
    [WireType("vec/Middle")] public sealed record Middle(Inner Leaf, List<Inner> Items);
    [WireType("vec/Outer")] public sealed record Outer(string Name, Middle Inner);
    [WireType("vec/Line")] public sealed record Line(Point A, Point B, string Label);

    [WireType("vec/Reorder")]
    public sealed record Reorder(
        string Name, List<string> Tags, Point Child, long Big, bool Flag, double Score, Dictionary<string, string> Meta,
        sbyte Small, int Count, [property: FixedWidth] long Wide, float Ratio, [property: FixedWidth] int? Maybe, byte[] Raw,
        short Half, HashSet<int> Ids);

    [WireType("vec/CamelCase")] public sealed record CamelCase(string UserName, long AccountId, bool IsActive);

    [WireType("vec/Color")] public enum Color { Red, Green, Blue }

    [WireType("vec/Paint")] public sealed record Paint(Color Color, string Name, Color? Accent);

    [WireType("vec/Empty")] public sealed record Empty;

    [WireType("vec/LongNames")]
    public sealed record LongNames(string AFieldNameThatIsDeliberatelyMuchLongerThanSixtyThreeCharactersX, bool B);

    [WireType("vec/TreeNode")] public sealed record TreeNode(int Value, List<TreeNode> Children);
}

namespace Aster.Fory.Tests.Examples
{
    [WireType("hello/HelloRequest")] public sealed record HelloRequest(string Name);
    [WireType("hello/HelloResponse")] public sealed record HelloResponse(string Message);
    [WireType("mission/StatusRequest")] public sealed record StatusRequest(string AgentId);
    [WireType("mission/StatusResponse")] public sealed record StatusResponse(string AgentId, string Status, long UptimeSecs);
    [WireType("mission/LogEntry")] public sealed record LogEntry(double Timestamp, string Level, string Message, string AgentId);
    [WireType("mission/SubmitLogResult")] public sealed record SubmitLogResult(bool Accepted);
    [WireType("mission/TailRequest")] public sealed record TailRequest(string AgentId, string Level);
    [WireType("mission/MetricPoint")] public sealed record MetricPoint(string Name, double Value, double Timestamp, Dictionary<string, string> Tags);
    [WireType("mission/IngestResult")] public sealed record IngestResult(int Accepted, int Dropped);
    [WireType("mission/Heartbeat")] public sealed record Heartbeat(string AgentId, List<string> Capabilities, double LoadAvg);
    [WireType("mission/Assignment")] public sealed record Assignment(string TaskId, string Command);
    [WireType("mission/Command")] public sealed record Command([property: WireName("command")] string Text);
    [WireType("mission/CommandResult")] public sealed record CommandResult(string Stdout, string Stderr, int ExitCode);
}
