# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'main_window.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QAction, QBrush, QColor, QConicalGradient,
    QCursor, QFont, QFontDatabase, QGradient,
    QIcon, QImage, QKeySequence, QLinearGradient,
    QPainter, QPalette, QPixmap, QRadialGradient,
    QTransform)
from PySide6.QtWidgets import (QApplication, QMainWindow, QMenu, QMenuBar,
    QSizePolicy, QStatusBar, QToolBar, QVBoxLayout,
    QWidget)

class Ui_MainWindow(object):
    def setupUi(self, MainWindow):
        if not MainWindow.objectName():
            MainWindow.setObjectName(u"MainWindow")
        MainWindow.resize(1400, 860)
        MainWindow.setDockNestingEnabled(True)
        self.actionQuit = QAction(MainWindow)
        self.actionQuit.setObjectName(u"actionQuit")
        self.actionReindex = QAction(MainWindow)
        self.actionReindex.setObjectName(u"actionReindex")
        self.actionExportCsv = QAction(MainWindow)
        self.actionExportCsv.setObjectName(u"actionExportCsv")
        self.actionExportPng = QAction(MainWindow)
        self.actionExportPng.setObjectName(u"actionExportPng")
        self.actionPrevShot = QAction(MainWindow)
        self.actionPrevShot.setObjectName(u"actionPrevShot")
        self.actionNextShot = QAction(MainWindow)
        self.actionNextShot.setObjectName(u"actionNextShot")
        self.actionLatestShot = QAction(MainWindow)
        self.actionLatestShot.setObjectName(u"actionLatestShot")
        self.actionFollowLatest = QAction(MainWindow)
        self.actionFollowLatest.setObjectName(u"actionFollowLatest")
        self.actionFollowLatest.setCheckable(True)
        self.actionClearPlots = QAction(MainWindow)
        self.actionClearPlots.setObjectName(u"actionClearPlots")
        self.actionAutoscale = QAction(MainWindow)
        self.actionAutoscale.setObjectName(u"actionAutoscale")
        self.actionAbout = QAction(MainWindow)
        self.actionAbout.setObjectName(u"actionAbout")
        self.central = QWidget(MainWindow)
        self.central.setObjectName(u"central")
        self.centralLayout = QVBoxLayout(self.central)
        self.centralLayout.setObjectName(u"centralLayout")
        self.centralLayout.setContentsMargins(2, 2, 2, 2)
        MainWindow.setCentralWidget(self.central)
        self.menubar = QMenuBar(MainWindow)
        self.menubar.setObjectName(u"menubar")
        self.menuFile = QMenu(self.menubar)
        self.menuFile.setObjectName(u"menuFile")
        self.menuShot = QMenu(self.menubar)
        self.menuShot.setObjectName(u"menuShot")
        self.menuView = QMenu(self.menubar)
        self.menuView.setObjectName(u"menuView")
        self.menuHelp = QMenu(self.menubar)
        self.menuHelp.setObjectName(u"menuHelp")
        MainWindow.setMenuBar(self.menubar)
        self.toolBar = QToolBar(MainWindow)
        self.toolBar.setObjectName(u"toolBar")
        MainWindow.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolBar)
        self.statusbar = QStatusBar(MainWindow)
        self.statusbar.setObjectName(u"statusbar")
        MainWindow.setStatusBar(self.statusbar)

        self.menubar.addAction(self.menuFile.menuAction())
        self.menubar.addAction(self.menuShot.menuAction())
        self.menubar.addAction(self.menuView.menuAction())
        self.menubar.addAction(self.menuHelp.menuAction())
        self.menuFile.addAction(self.actionReindex)
        self.menuFile.addAction(self.actionExportCsv)
        self.menuFile.addAction(self.actionExportPng)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionQuit)
        self.menuShot.addAction(self.actionPrevShot)
        self.menuShot.addAction(self.actionNextShot)
        self.menuShot.addAction(self.actionLatestShot)
        self.menuShot.addAction(self.actionFollowLatest)
        self.menuView.addAction(self.actionClearPlots)
        self.menuView.addAction(self.actionAutoscale)
        self.menuView.addSeparator()
        self.menuHelp.addAction(self.actionAbout)
        self.toolBar.addAction(self.actionPrevShot)
        self.toolBar.addAction(self.actionNextShot)
        self.toolBar.addAction(self.actionLatestShot)
        self.toolBar.addAction(self.actionFollowLatest)
        self.toolBar.addSeparator()
        self.toolBar.addAction(self.actionAutoscale)
        self.toolBar.addAction(self.actionClearPlots)
        self.toolBar.addAction(self.actionReindex)

        self.retranslateUi(MainWindow)

        QMetaObject.connectSlotsByName(MainWindow)
    # setupUi

    def retranslateUi(self, MainWindow):
        MainWindow.setWindowTitle(QCoreApplication.translate("MainWindow", u"Gilgamesh", None))
        self.actionQuit.setText(QCoreApplication.translate("MainWindow", u"&Quit", None))
#if QT_CONFIG(shortcut)
        self.actionQuit.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+Q", None))
#endif // QT_CONFIG(shortcut)
        self.actionReindex.setText(QCoreApplication.translate("MainWindow", u"&Rescan shots", None))
#if QT_CONFIG(tooltip)
        self.actionReindex.setToolTip(QCoreApplication.translate("MainWindow", u"Index new and changed shot files", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionReindex.setShortcut(QCoreApplication.translate("MainWindow", u"F5", None))
#endif // QT_CONFIG(shortcut)
        self.actionExportCsv.setText(QCoreApplication.translate("MainWindow", u"Export plotted data (&CSV)\u2026", None))
        self.actionExportPng.setText(QCoreApplication.translate("MainWindow", u"Export plots (&PNG)\u2026", None))
        self.actionPrevShot.setText(QCoreApplication.translate("MainWindow", u"&Previous shot", None))
#if QT_CONFIG(shortcut)
        self.actionPrevShot.setShortcut(QCoreApplication.translate("MainWindow", u"Alt+Left", None))
#endif // QT_CONFIG(shortcut)
        self.actionNextShot.setText(QCoreApplication.translate("MainWindow", u"&Next shot", None))
#if QT_CONFIG(shortcut)
        self.actionNextShot.setShortcut(QCoreApplication.translate("MainWindow", u"Alt+Right", None))
#endif // QT_CONFIG(shortcut)
        self.actionLatestShot.setText(QCoreApplication.translate("MainWindow", u"&Latest shot", None))
#if QT_CONFIG(shortcut)
        self.actionLatestShot.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+L", None))
#endif // QT_CONFIG(shortcut)
        self.actionFollowLatest.setText(QCoreApplication.translate("MainWindow", u"&Follow new shots", None))
#if QT_CONFIG(tooltip)
        self.actionFollowLatest.setToolTip(QCoreApplication.translate("MainWindow", u"Switch to each new shot as it is written", None))
#endif // QT_CONFIG(tooltip)
        self.actionClearPlots.setText(QCoreApplication.translate("MainWindow", u"C&lear plots", None))
        self.actionAutoscale.setText(QCoreApplication.translate("MainWindow", u"&Autoscale", None))
#if QT_CONFIG(shortcut)
        self.actionAutoscale.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+A", None))
#endif // QT_CONFIG(shortcut)
        self.actionAbout.setText(QCoreApplication.translate("MainWindow", u"&About Gilgamesh", None))
        self.menuFile.setTitle(QCoreApplication.translate("MainWindow", u"&File", None))
        self.menuShot.setTitle(QCoreApplication.translate("MainWindow", u"&Shot", None))
        self.menuView.setTitle(QCoreApplication.translate("MainWindow", u"&View", None))
        self.menuHelp.setTitle(QCoreApplication.translate("MainWindow", u"&Help", None))
        self.toolBar.setWindowTitle(QCoreApplication.translate("MainWindow", u"Main toolbar", None))
    # retranslateUi

