using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Sidecar.Api.Grpc.V1;
using Sidecar.Pipeline;
using Sidecar.Store;
using TrainingPhase = Sidecar.Pipeline.TrainingPhase;
using ProtoPhase = Sidecar.Api.Grpc.V1.TrainingPhase;
using ProtoQuality = Sidecar.Api.Grpc.V1.HorizonQuality;
using ProtoForecast = Sidecar.Api.Grpc.V1.HorizonForecast;
using SeriesForecast = Sidecar.Api.Grpc.V1.SeriesForecast;

namespace Sidecar.Api.Grpc;

/// <summary>The query layer's views as protobuf messages: one mapping, no logic of its own.</summary>
internal static class GrpcMessages
{
    public static Target ToMessage(TargetView view)
    {
        var target = new Target
        {
            Name = view.Name,
            Source = view.Source,
            Step = Duration.FromTimeSpan(view.Step),
            Series = view.Series,
            ExposedSeries = view.Exposed,
            Fallback = view.Fallback ?? "",
            Scope = view.Scope,
            Model = ToMessage(view.Training),
        };
        target.Horizons.AddRange(view.Horizons);
        target.Quality.AddRange(view.Quality.Select(q => new ProtoQuality
        {
            Horizon = q.Horizon,
            Outcomes = q.Outcomes,
            Mae = q.MeanAbsoluteError,
            Mase = q.MeanAbsoluteScaledError,
            Coverage = q.Coverage,
        }));
        return target;
    }

    private static ModelStatus ToMessage(TrainingStatusView training) => new()
    {
        Phase = training.Phase switch
        {
            TrainingPhase.Waiting => ProtoPhase.Waiting,
            TrainingPhase.Training => ProtoPhase.Training,
            TrainingPhase.Idle => ProtoPhase.Idle,
            _ => ProtoPhase.Unspecified,
        },
        Epoch = training.Epoch,
        MaxEpochs = training.MaxEpochs,
        TrainLoss = training.TrainLoss,
        ValidationLoss = training.ValidationLoss,
        LastResult = training.LastResult ?? "",
        LastRunAt = training.LastRunAt is { } run ? Timestamp.FromDateTimeOffset(run) : null,
        LastError = training.LastError ?? "",
        TrainedAt = training.ModelTrainedAt is { } trained ? Timestamp.FromDateTimeOffset(trained) : null,
        ModelValidationLoss = training.ModelValidationLoss,
        RetrainRequested = training.RetrainRequested,
        WaitingFor = training.WaitingFor ?? "",
    };

    public static V1.Series ToMessage(SeriesView view)
    {
        var series = new V1.Series
        {
            Target = view.Target,
            Id = view.Labels.ToString(),
            Model = view.Model,
            AnomalyScore = view.AnomalyScore,
            LastStep = view.LastStepMs is { } ms ? Time(ms) : null,
            LastValue = view.LastValue,
        };
        AddLabels(series.Labels, view.Labels);
        return series;
    }

    public static SeriesForecast ToMessage(SeriesDetail detail)
    {
        var forecast = new SeriesForecast
        {
            Series = ToMessage(detail.Series),
            Step = Duration.FromTimeSpan(detail.Step),
            NextStep = detail.NextStep,
            Residual = detail.Residual,
            AnomalySurprise = detail.Surprise,
            AnomalyNovelty = detail.Novelty,
        };
        forecast.History.AddRange(detail.History.Select(p => new Point { Time = Time(p.TimeMs), Value = p.Value }));
        forecast.Forecasts.AddRange(detail.Forecasts.Select(f => new ProtoForecast
        {
            Horizon = f.Horizon,
            Time = Time(f.TimeMs),
            Lower = f.Lower,
            Median = f.Median,
            Upper = f.Upper,
        }));
        return forecast;
    }

    public static AnomalyEvent ToMessage(AnomalyTransition transition)
    {
        var message = new AnomalyEvent
        {
            Target = transition.Target,
            SeriesId = transition.Labels.ToString(),
            Kind = transition.Anomalous ? AnomalyEvent.Types.Kind.Started : AnomalyEvent.Types.Kind.Recovered,
            StepTime = Time(transition.StepTimeMs),
            Score = transition.Score,
            Value = transition.Value,
            Predicted = transition.Predicted,
        };
        AddLabels(message.Labels, transition.Labels);
        return message;
    }

    private static Timestamp Time(long unixMs) => Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));

    private static void AddLabels(MapField<string, string> map, LabelSet labels)
    {
        foreach (var (name, value) in labels.Labels)
            map[name] = value;
    }
}
