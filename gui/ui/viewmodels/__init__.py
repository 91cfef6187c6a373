"""View-models: what each part of the window shows and may ask for, with no widgets.

Each is a QObject with observable properties (``x_changed`` signals, see :mod:`.properties`) and
typed actions. Widgets bind to their own view-model only; view-models reach the studio through
:class:`~gui.ui.viewmodels.studio_link.StudioLink` (the open session), never the engine.
"""
