using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Aster.Trust.Mesh;

/// <summary>Source-generated log messages of the producer mesh (event ids 5100–5199). The salt is never logged.</summary>
internal static partial class MeshLog
{
    [LoggerMessage(EventId = 5101, EventName = "MeshStarted", Level = LogLevel.Information, Message = "Producer mesh {Mode}: {Members} members, salt epoch {Epoch}.")]
    public static partial void Started(ILogger logger, MeshStartMode mode, int members, ulong epoch);

    [LoggerMessage(EventId = 5102, EventName = "ProducerAdmitted", Level = LogLevel.Information, Message = "Producer {Peer} admitted to the mesh.")]
    public static partial void ProducerAdmitted(ILogger logger, string peer);

    [LoggerMessage(EventId = 5103, EventName = "ProducerRejected", Level = LogLevel.Warning, Message = "Producer admission of {Peer} rejected: {Reason}.")]
    public static partial void ProducerRejected(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5104, EventName = "AdmissionPersistFailed", Level = LogLevel.Error, Message = "Producer admission of {Peer} rejected: the mesh state could not be saved.")]
    public static partial void AdmissionPersistFailed(ILogger logger, string peer, Exception exception);

    [LoggerMessage(EventId = 5105, EventName = "AdmissionTimedOut", Level = LogLevel.Warning, Message = "Producer admission from {Peer} timed out or was reset; no reply sent.")]
    public static partial void AdmissionTimedOut(ILogger logger, string peer);

    [LoggerMessage(EventId = 5106, EventName = "AdmissionBusy", Level = LogLevel.Warning, Message = "Producer admission from {Peer} refused: too many exchanges at once.")]
    public static partial void AdmissionBusy(ILogger logger, string peer);

    [LoggerMessage(EventId = 5107, EventName = "JoinAttemptFailed", Level = LogLevel.Warning, Message = "Joining the mesh through {Peer} failed: {Reason}.")]
    public static partial void JoinAttemptFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5108, EventName = "MessageDropped", Level = LogLevel.Warning, Message = "Mesh message from {Sender} dropped: {Reason}.")]
    public static partial void MessageDropped(ILogger logger, string sender, string reason);

    [LoggerMessage(EventId = 5109, EventName = "MessageDuplicate", Level = LogLevel.Debug, Message = "Duplicate mesh message from {Sender} dropped.")]
    public static partial void MessageDuplicate(ILogger logger, string sender);

    [LoggerMessage(EventId = 5110, EventName = "MemberAdded", Level = LogLevel.Information, Message = "Mesh member {Peer} added ({How}).")]
    public static partial void MemberAdded(ILogger logger, string peer, string how);

    [LoggerMessage(EventId = 5111, EventName = "MemberDeparted", Level = LogLevel.Information, Message = "Mesh member {Peer} departed.")]
    public static partial void MemberDeparted(ILogger logger, string peer);

    [LoggerMessage(EventId = 5112, EventName = "RotationApplied", Level = LogLevel.Warning, Message = "Salt rotation to epoch {Epoch} applied; {Excluded} endpoints excluded.")]
    public static partial void RotationApplied(ILogger logger, ulong epoch, int excluded);

    [LoggerMessage(EventId = 5113, EventName = "RotationRefused", Level = LogLevel.Warning, Message = "Salt rotation statement of epoch {Epoch} refused: {Reason}.")]
    public static partial void RotationRefused(ILogger logger, ulong epoch, string reason);

    [LoggerMessage(EventId = 5114, EventName = "LinkRefused", Level = LogLevel.Warning, Message = "Gossip link with {Peer} refused: {Reason}.")]
    public static partial void LinkRefused(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5115, EventName = "LinkOpened", Level = LogLevel.Debug, Message = "Gossip link with {Peer} open ({Direction}).")]
    public static partial void LinkOpened(ILogger logger, string peer, string direction);

    [LoggerMessage(EventId = 5116, EventName = "ClockOutlier", Level = LogLevel.Error, Message = "This node's clock is off the mesh median by more than the tolerance; leaving the mesh until restarted.")]
    public static partial void ClockOutlier(ILogger logger);

    [LoggerMessage(EventId = 5117, EventName = "MemberExpired", Level = LogLevel.Information, Message = "Mesh member {Peer} removed: its credential expired.")]
    public static partial void MemberExpired(ILogger logger, string peer);

    [LoggerMessage(EventId = 5118, EventName = "SweepFailed", Level = LogLevel.Error, Message = "Mesh sweep failed.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5119, EventName = "ResyncIgnored", Level = LogLevel.Warning, Message = "Resynchronisation through {Peer} returned a different salt without a valid rotation statement; ignored.")]
    public static partial void ResyncIgnored(ILogger logger, string peer);
}

/// <summary>The producer mesh's metrics (meter <c>Aster.Mesh</c>).</summary>
internal static class MeshDiagnostics
{
    public static readonly Meter Meter = new("Aster.Mesh");

    public static readonly Counter<long> Admissions = Meter.CreateCounter<long>(
        "aster.mesh.admissions", unit: "{admission}", description: "Producer admissions decided, tagged by outcome.");

    public static readonly Counter<long> MessagesAccepted = Meter.CreateCounter<long>(
        "aster.mesh.messages.accepted", unit: "{message}", description: "Mesh messages that passed the receive pipeline.");

    public static readonly Counter<long> MessagesDropped = Meter.CreateCounter<long>(
        "aster.mesh.messages.dropped", unit: "{message}", description: "Mesh messages dropped, tagged by reason.");

    public static void Admission(string outcome)
    {
        if (Admissions.Enabled)
        {
            Admissions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public static void Dropped(string reason)
    {
        if (MessagesDropped.Enabled)
        {
            MessagesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        }
    }
}
