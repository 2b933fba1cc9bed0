#pragma once
// The main window tests' fixture (tst_mainwindow*): the demo target on the simulator, its
// controller, a preset folder and a shown MainWindow, rebuilt for every test function, with the
// operator's answers to the panel's inline questions.

#include "confirmbarwidget.h"
#include "eventlogmodel.h"
#include "mainwindow.h"
#include "presetlibrary.h"
#include "simworld.h"
#include "targetcontroller.h"
#include "targetlistmodel.h"

#include <QObject>
#include <QString>
#include <QTemporaryDir>

#include <memory>

class MainWindowFixture : public QObject
{
protected:
    // Called by the test class's init() and cleanup() slots.
    void setUpWindow();
    void tearDownWindow();

    Switchboard::EventLogModel m_log;
    std::shared_ptr<Switchboard::SimWorld> m_world;
    std::unique_ptr<Switchboard::TargetController> m_controller;
    std::unique_ptr<Switchboard::TargetListModel> m_targets;
    QTemporaryDir m_presetDir;
    std::unique_ptr<Switchboard::PresetLibrary> m_presets;
    std::unique_ptr<Switchboard::MainWindow> m_window;
    int m_confirmations = 0; // questions the panel asked (inline, never a modal box)
    QString m_lastQuestion;

    double worldCanary() const { return Switchboard::TrafficSplit::fromMembers(m_world->members()).canary; }
    template<typename T>
    T *find(const char *name) const
    {
        return m_window->findChild<T *>(QLatin1String(name));
    }
    // The operator answers the panel's inline question with the keyboard: Enter or Esc.
    void answer(bool yes);
    // A plan with `steps` weight steps after an "until resumed" pause, then 100%, saved as a preset.
    void writePlan(const QString &name, int steps);
};
