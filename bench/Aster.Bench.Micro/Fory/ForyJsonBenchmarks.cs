using System.Buffers;
using System.Text.Json;
using Aster.Fory.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Aster.Bench.Micro.Fory;

/// <summary>
/// The JSON mode (<see cref="ForyJson"/>, serialization mode 3: Python-compatible text, cached per-type plans) against
/// System.Text.Json with a source-generated context on the same messages (both write snake_case keys). Encode writes
/// into a reused buffer writer; decode reads a <c>byte[]</c>.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ForyJsonBenchmarks : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json = new(Stream.Null);
    private HelloRequest _hello = null!;
    private MetricPoint _metric = null!;
    private Order _order = null!;
    private byte[] _helloBytes = [];
    private byte[] _metricBytes = [];
    private byte[] _orderBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _hello = Samples.Hello();
        _metric = Samples.Metric();
        _order = Samples.Order();

        // Decode input is ForyJson's own text; STJ reads the same bytes.
        _helloBytes = ForyJson.Serialize(_hello);
        _metricBytes = ForyJson.Serialize(_metric);
        _orderBytes = ForyJson.Serialize(_order);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _json.Dispose();
        GC.SuppressFinalize(this);
    }

    private int Stj<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, value, info);
        return _buffer.WrittenCount;
    }

    private int Fory<T>(T value)
    {
        _buffer.ResetWrittenCount();
        ForyJson.Serialize(value, _buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Json-Hello-Encode"), Benchmark(Baseline = true)]
    public int StjEncodeHello() => Stj(_hello, BenchJsonContext.Default.HelloRequest);

    [BenchmarkCategory("Json-Hello-Encode"), Benchmark]
    public int ForyJsonEncodeHello() => Fory(_hello);

    [BenchmarkCategory("Json-Hello-Decode"), Benchmark(Baseline = true)]
    public object StjDecodeHello() => JsonSerializer.Deserialize(_helloBytes, BenchJsonContext.Default.HelloRequest)!;

    [BenchmarkCategory("Json-Hello-Decode"), Benchmark]
    public object ForyJsonDecodeHello() => ForyJson.Deserialize<HelloRequest>(_helloBytes);

    [BenchmarkCategory("Json-Metric-Encode"), Benchmark(Baseline = true)]
    public int StjEncodeMetric() => Stj(_metric, BenchJsonContext.Default.MetricPoint);

    [BenchmarkCategory("Json-Metric-Encode"), Benchmark]
    public int ForyJsonEncodeMetric() => Fory(_metric);

    [BenchmarkCategory("Json-Metric-Decode"), Benchmark(Baseline = true)]
    public object StjDecodeMetric() => JsonSerializer.Deserialize(_metricBytes, BenchJsonContext.Default.MetricPoint)!;

    [BenchmarkCategory("Json-Metric-Decode"), Benchmark]
    public object ForyJsonDecodeMetric() => ForyJson.Deserialize<MetricPoint>(_metricBytes);

    [BenchmarkCategory("Json-Order1K-Encode"), Benchmark(Baseline = true)]
    public int StjEncodeOrder() => Stj(_order, BenchJsonContext.Default.Order);

    [BenchmarkCategory("Json-Order1K-Encode"), Benchmark]
    public int ForyJsonEncodeOrder() => Fory(_order);

    [BenchmarkCategory("Json-Order1K-Decode"), Benchmark(Baseline = true)]
    public object StjDecodeOrder() => JsonSerializer.Deserialize(_orderBytes, BenchJsonContext.Default.Order)!;

    [BenchmarkCategory("Json-Order1K-Decode"), Benchmark]
    public object ForyJsonDecodeOrder() => ForyJson.Deserialize<Order>(_orderBytes);
}
