using Aster.Contracts;
using System.Diagnostics;
using Aster.Client;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;

namespace Aster.Tests.Diagnostics;

public sealed class TracingTests
{
    [Fact]
    public async Task Call_WithListener_ServerActivityIsChildOfClientActivity()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Aster",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) { activities.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        ServiceDefinition traced = ServiceDefinition.CreateShared("Traced", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("call", (_, r, _) => ValueTask.FromResult(new HelloResponse(r.Name ?? "")))
            .Build();
        await using var server = new AsterServer([traced], new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance });
        (IRpcConnection clientEnd, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
        Task serving = server.ServeConnectionAsync(serverEnd);
        await using (var client = new AsterClient(clientEnd, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json }))
        {
            await client.UnaryAsync(new ClientMethod<HelloRequest, HelloResponse>("Traced", 1, "call", MethodPattern.Unary), new HelloRequest("t")).DefaultTimeout();
        }

        await serving.DefaultTimeout();
        Activity[] ours;
        lock (activities)
        {
            ours = [.. activities.Where(a => a.OperationName == "Traced/call")];
        }

        Activity clientActivity = Assert.Single(ours, a => a.Kind == ActivityKind.Client);
        Activity serverActivity = Assert.Single(ours, a => a.Kind == ActivityKind.Server && a.TraceId == clientActivity.TraceId);
        Assert.Equal(clientActivity.SpanId, serverActivity.ParentSpanId);
        Assert.Equal("OK", serverActivity.GetTagItem("rpc.response.status_code"));
    }
}
