using System.Text.Json.Serialization;
using Aster.Fory;

namespace Aster.Bench.Micro.Fory;

[WireType("hello/HelloRequest")]
public sealed record HelloRequest(string Name);

[WireType("mission/MetricPoint")]
public sealed record MetricPoint(string Name, double Value, double Timestamp, Dictionary<string, string> Tags);

[WireType("bench/LineItem")]
public sealed record LineItem(string Sku, int Quantity, double Price);

[WireType("bench/Order")]
public sealed record Order(
    long Id, string Customer, string Notes, List<string> Tags, List<double> Samples, List<LineItem> Items,
    Dictionary<string, string> Attributes, long CreatedMs, bool Paid);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HelloRequest))]
[JsonSerializable(typeof(MetricPoint))]
[JsonSerializable(typeof(Order))]
internal sealed partial class BenchJsonContext : JsonSerializerContext
{
}

internal static class Samples
{
    public static HelloRequest Hello() => new("World");

    public static MetricPoint Metric() => new("cpu.load", 0.73, 1732233600.25, new() { ["host"] = "agent-7", ["region"] = "eu-west" });

    public static Order Order()
    {
        List<LineItem> items = [];
        for (int i = 0; i < 8; i++)
        {
            items.Add(new LineItem($"SKU-{1000 + i}", i + 1, 9.99 * (i + 1)));
        }

        return new Order(
            123456789,
            "ACME Interplanetary Logistics",
            "Deliver to the north dock between 08:00 and 11:00; call ahead. Fragile items are marked in red. Signature required on delivery, no substitutions.",
            ["priority", "fragile", "insured", "eu", "b2b", "repeat", "net30", "dock-north", "weekday", "audited"],
            [.. Enumerable.Range(0, 20).Select(i => i * 1.5)],
            items,
            new() { ["channel"] = "api", ["currency"] = "EUR", ["warehouse"] = "DUB-2", ["carrier"] = "an-post", ["tier"] = "gold" },
            1732233600123,
            true);
    }

    public static Proto.HelloRequest ProtoHello() => new() { Name = "World" };

    public static Proto.MetricPoint ProtoMetric()
    {
        MetricPoint m = Metric();
        Proto.MetricPoint p = new() { Name = m.Name, Value = m.Value, Timestamp = m.Timestamp };
        p.Tags.Add(m.Tags);
        return p;
    }

    public static Proto.Order ProtoOrder()
    {
        Order o = Order();
        Proto.Order p = new() { Id = o.Id, Customer = o.Customer, Notes = o.Notes, CreatedMs = o.CreatedMs, Paid = o.Paid };
        p.Tags.Add(o.Tags);
        p.Samples.Add(o.Samples);
        p.Items.Add(o.Items.Select(i => new Proto.LineItem { Sku = i.Sku, Quantity = i.Quantity, Price = i.Price }));
        p.Attributes.Add(o.Attributes);
        return p;
    }
}
