using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Google.Protobuf;
using Aster.Fory;

namespace Aster.Bench.Micro.Fory;

/// <summary>
/// Fory XLANG (ours) against Google.Protobuf and source-generated System.Text.Json on equivalent messages.
/// Encode writes into a reused buffer writer (only the output buffer, which is reused, may be touched). "Fory" is the
/// default serializer, which uses the source-generated serializers; "ForyRuntime" forces the reflection-built codecs
/// (<see cref="ForyOptions.UseGeneratedSerializers"/> false) for comparison. Setup refuses to run when the generated
/// serializers are not in use or write other bytes than the runtime ones.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ForyBenchmarks : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json = new(Stream.Null);
    private ForySerializer _fory = null!;
    private ForySerializer _foryRuntime = null!;
    private HelloRequest _hello = null!;
    private MetricPoint _metric = null!;
    private Order _order = null!;
    private Proto.HelloRequest _protoHello = null!;
    private Proto.MetricPoint _protoMetric = null!;
    private Proto.Order _protoOrder = null!;
    private byte[] _foryHelloBytes = [];
    private byte[] _foryMetricBytes = [];
    private byte[] _foryOrderBytes = [];
    private byte[] _protoHelloBytes = [];
    private byte[] _protoMetricBytes = [];
    private byte[] _protoOrderBytes = [];
    private byte[] _jsonHelloBytes = [];
    private byte[] _jsonMetricBytes = [];
    private byte[] _jsonOrderBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _fory = new ForySerializer().Register<HelloRequest>().Register<MetricPoint>().Register<Order>();
        _foryRuntime = new ForySerializer(new ForyOptions { UseGeneratedSerializers = false }).Register<HelloRequest>().Register<MetricPoint>().Register<Order>();
        if (_fory.RecordCodecs.Any(c => !c.UsesGenerated) || _foryRuntime.RecordCodecs.Any(c => c.UsesGenerated))
        {
            throw new InvalidOperationException("the generated Fory serializers are not in use (is the generator referenced?)");
        }

        _hello = Samples.Hello();
        _metric = Samples.Metric();
        _order = Samples.Order();
        _protoHello = Samples.ProtoHello();
        _protoMetric = Samples.ProtoMetric();
        _protoOrder = Samples.ProtoOrder();
        _foryHelloBytes = _fory.Serialize(_hello);
        _foryMetricBytes = _fory.Serialize(_metric);
        _foryOrderBytes = _fory.Serialize(_order);
        if (!_foryHelloBytes.AsSpan().SequenceEqual(_foryRuntime.Serialize(_hello)) || !_foryMetricBytes.AsSpan().SequenceEqual(_foryRuntime.Serialize(_metric))
            || !_foryOrderBytes.AsSpan().SequenceEqual(_foryRuntime.Serialize(_order)))
        {
            throw new InvalidOperationException("generated and runtime Fory serializers write different bytes");
        }

        _protoHelloBytes = _protoHello.ToByteArray();
        _protoMetricBytes = _protoMetric.ToByteArray();
        _protoOrderBytes = _protoOrder.ToByteArray();
        _jsonHelloBytes = JsonSerializer.SerializeToUtf8Bytes(_hello, BenchJsonContext.Default.HelloRequest);
        _jsonMetricBytes = JsonSerializer.SerializeToUtf8Bytes(_metric, BenchJsonContext.Default.MetricPoint);
        _jsonOrderBytes = JsonSerializer.SerializeToUtf8Bytes(_order, BenchJsonContext.Default.Order);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _json.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Message sizes in bytes, for the report.</summary>
    public string Sizes() =>
        $"hello fory {_foryHelloBytes.Length} proto {_protoHelloBytes.Length} json {_jsonHelloBytes.Length}; " +
        $"metric fory {_foryMetricBytes.Length} proto {_protoMetricBytes.Length} json {_jsonMetricBytes.Length}; " +
        $"order fory {_foryOrderBytes.Length} proto {_protoOrderBytes.Length} json {_jsonOrderBytes.Length}";

    [BenchmarkCategory("Hello-Encode"), Benchmark(Baseline = true)]
    public int ProtoEncodeHello()
    {
        _buffer.ResetWrittenCount();
        _protoHello.WriteTo(_buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Hello-Encode"), Benchmark]
    public int ForyEncodeHello()
    {
        _buffer.ResetWrittenCount();
        _fory.Serialize(_hello, _buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Hello-Encode"), Benchmark]
    public int ForyRuntimeEncodeHello()
    {
        _buffer.ResetWrittenCount();
        _foryRuntime.Serialize(_hello, _buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Hello-Encode"), Benchmark]
    public int JsonEncodeHello()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, _hello, BenchJsonContext.Default.HelloRequest);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Hello-Decode"), Benchmark(Baseline = true)]
    public object ProtoDecodeHello() => Proto.HelloRequest.Parser.ParseFrom(_protoHelloBytes);

    [BenchmarkCategory("Hello-Decode"), Benchmark]
    public object ForyDecodeHello() => _fory.Deserialize<HelloRequest>(_foryHelloBytes);

    [BenchmarkCategory("Hello-Decode"), Benchmark]
    public object ForyRuntimeDecodeHello() => _foryRuntime.Deserialize<HelloRequest>(_foryHelloBytes);

    [BenchmarkCategory("Hello-Decode"), Benchmark]
    public object JsonDecodeHello() => JsonSerializer.Deserialize(_jsonHelloBytes, BenchJsonContext.Default.HelloRequest)!;

    [BenchmarkCategory("Metric-Encode"), Benchmark(Baseline = true)]
    public int ProtoEncodeMetric()
    {
        _buffer.ResetWrittenCount();
        _protoMetric.WriteTo(_buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Metric-Encode"), Benchmark]
    public int ForyEncodeMetric()
    {
        _buffer.ResetWrittenCount();
        _fory.Serialize(_metric, _buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Metric-Encode"), Benchmark]
    public int ForyRuntimeEncodeMetric()
    {
        _buffer.ResetWrittenCount();
        _foryRuntime.Serialize(_metric, _buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Metric-Encode"), Benchmark]
    public int JsonEncodeMetric()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, _metric, BenchJsonContext.Default.MetricPoint);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Metric-Decode"), Benchmark(Baseline = true)]
    public object ProtoDecodeMetric() => Proto.MetricPoint.Parser.ParseFrom(_protoMetricBytes);

    [BenchmarkCategory("Metric-Decode"), Benchmark]
    public object ForyDecodeMetric() => _fory.Deserialize<MetricPoint>(_foryMetricBytes);

    [BenchmarkCategory("Metric-Decode"), Benchmark]
    public object ForyRuntimeDecodeMetric() => _foryRuntime.Deserialize<MetricPoint>(_foryMetricBytes);

    [BenchmarkCategory("Metric-Decode"), Benchmark]
    public object JsonDecodeMetric() => JsonSerializer.Deserialize(_jsonMetricBytes, BenchJsonContext.Default.MetricPoint)!;

    [BenchmarkCategory("Order1K-Encode"), Benchmark(Baseline = true)]
    public int ProtoEncodeOrder()
    {
        _buffer.ResetWrittenCount();
        _protoOrder.WriteTo(_buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Order1K-Encode"), Benchmark]
    public int ForyEncodeOrder()
    {
        _buffer.ResetWrittenCount();
        _fory.Serialize(_order, _buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Order1K-Encode"), Benchmark]
    public int ForyRuntimeEncodeOrder()
    {
        _buffer.ResetWrittenCount();
        _foryRuntime.Serialize(_order, _buffer);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Order1K-Encode"), Benchmark]
    public int JsonEncodeOrder()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, _order, BenchJsonContext.Default.Order);
        return _buffer.WrittenCount;
    }

    [BenchmarkCategory("Order1K-Decode"), Benchmark(Baseline = true)]
    public object ProtoDecodeOrder() => Proto.Order.Parser.ParseFrom(_protoOrderBytes);

    [BenchmarkCategory("Order1K-Decode"), Benchmark]
    public object ForyDecodeOrder() => _fory.Deserialize<Order>(_foryOrderBytes);

    [BenchmarkCategory("Order1K-Decode"), Benchmark]
    public object ForyRuntimeDecodeOrder() => _foryRuntime.Deserialize<Order>(_foryOrderBytes);

    [BenchmarkCategory("Order1K-Decode"), Benchmark]
    public object JsonDecodeOrder() => JsonSerializer.Deserialize(_jsonOrderBytes, BenchJsonContext.Default.Order)!;
}
