using Microsoft.Extensions.Logging;

namespace Aster.Hosting;

/// <summary>Source-generated log messages of the hosting layer (event ids 7001–7099).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 7001, EventName = "ServerStarted", Level = LogLevel.Information, Message = "Aster server started with {Services} services at {Address}.")]
    public static partial void ServerStarted(ILogger logger, int services, string address);

    [LoggerMessage(EventId = 7002, EventName = "ServerStopped", Level = LogLevel.Information, Message = "Aster server stopped.")]
    public static partial void ServerStopped(ILogger logger);

    [LoggerMessage(EventId = 7003, EventName = "ClientConnected", Level = LogLevel.Information, Message = "Aster client admitted by {Address} ({Services} services).")]
    public static partial void ClientConnected(ILogger logger, string address, int services);
}
