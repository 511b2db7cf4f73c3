using Aster.Net.Tls;
using Microsoft.Extensions.Logging;

namespace Aster.Net.Tests.Tls;

public sealed class TlsLogTests
{
    [Fact]
    public void Handshake_WithLogger_LogsCompletionAndFailureWithoutSecrets()
    {
        // Arrange
        var clientLog = new RecordingLogger();
        var serverLog = new RecordingLogger();
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.Logger = clientLog));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o =>
        {
            o.Logger = serverLog;
            o.Groups = [TlsNamedGroup.Secp256r1];
        }));

        // Act
        TlsTestPeers.Run(client, server);
        Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Application, [24, 0, 0, 1, 0]));

        // Assert
        Assert.Equal([2003, 2001], clientLog.Events.Select(e => e.Id));
        Assert.Equal([2003, 2001, 2002], serverLog.Events.Select(e => e.Id));
        Assert.Contains(Convert.ToHexStringLower(TlsTestPeers.ServerKey), clientLog.Events[1].Message, StringComparison.Ordinal);
        string seedHex = Convert.ToHexStringLower(TlsTestPeers.ClientSeed);
        Assert.DoesNotContain(clientLog.Events.Concat(serverLog.Events), e => e.Message.Contains(seedHex, StringComparison.Ordinal));
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(int Id, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Events.Add((eventId.Id, formatter(state, exception)));
        }
    }
}
